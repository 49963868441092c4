/**
 * The client side of the proof of possession the CA asks for (RFC 9449 DPoP, signed with the SSH private key itself):
 * bound to the request (`htm`, `htu`), to the access token (`ath`), fresh (`iat`) and single-use
 * (`jti`). The key's public half travels in the header as a JWK.
 */
import { createHash, type KeyObject, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { type PublicKey, publicKeyToJwk } from "../ssh/index.ts";

const ALG: Record<string, string> = {
  "ssh-ed25519": "EdDSA",
  "ecdsa-sha2-nistp256": "ES256",
  "ecdsa-sha2-nistp384": "ES384",
  "ecdsa-sha2-nistp521": "ES512",
  "ssh-rsa": "PS256",
};

export async function createKeyProof(
  privateKey: KeyObject,
  publicKey: PublicKey,
  request: { method: string; url: string; accessToken?: string; nonce?: string },
  nowMs = Date.now(),
): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: request.method,
    htu: request.url,
    iat: Math.floor(nowMs / 1000),
  };
  if (request.accessToken) claims.ath = createHash("sha256").update(request.accessToken).digest("base64url");
  if (request.nonce) claims.nonce = request.nonce;
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: ALG[publicKey.type] as string,
      typ: "dpop+jwt",
      jwk: publicKeyToJwk(publicKey) as Record<string, string>,
    })
    .sign(privateKey);
}
