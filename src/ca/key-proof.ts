/**
 * The client side of the proof of possession the CA asks for (RFC 9449 DPoP, signed with the SSH
 * private key itself); lib/request-proof.ts makes and checks the claims.
 */
import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { type PublicKey, publicKeyToJwk } from "../ssh/index.ts";
import { signRequestProof } from "./lib/request-proof.ts";

const ALG: Record<string, string> = {
  "ssh-ed25519": "EdDSA",
  "ecdsa-sha2-nistp256": "ES256",
  "ecdsa-sha2-nistp384": "ES384",
  "ecdsa-sha2-nistp521": "ES512",
  "ssh-rsa": "PS256",
};

export function createKeyProof(
  privateKey: KeyObject,
  publicKey: PublicKey,
  request: { method: string; url: string; accessToken?: string; nonce?: string },
  nowMs = Date.now(),
): Promise<string> {
  const header = {
    alg: ALG[publicKey.type] as string,
    typ: "dpop+jwt",
    jwk: publicKeyToJwk(publicKey) as JWK,
  };
  return signRequestProof(privateKey, header, request, nowMs);
}
