/**
 * Proof that the request comes from a registered client device: a request proof (see
 * lib/request-proof.ts) signed with the device key the CLI holds, `typ: device+jwt`. Device
 * compliance in conditional access then rests on a key the device proved it holds, on any OS.
 */
import type { KeyObject } from "node:crypto";
import type { JWK } from "jose";
import {
  jwkThumbprint,
  type ReplayCache,
  signRequestProof,
  verifyRequestProof,
} from "./lib/request-proof.ts";

const TYP = "device+jwt";
const ALGORITHMS = ["ES256", "EdDSA", "Ed25519"];

export function createDeviceProof(
  privateKey: KeyObject,
  publicJwk: JWK,
  request: { method: string; url: string; accessToken: string },
  nowMs = Date.now(),
): Promise<string> {
  return signRequestProof(
    privateKey,
    { alg: publicJwk.kty === "OKP" ? "EdDSA" : "ES256", typ: TYP, jwk: publicJwk },
    request,
    nowMs,
  );
}

/** Verifies a device proof and returns the RFC 7638 thumbprint of the device key. */
export async function verifyDeviceProof(
  proof: string,
  req: { method: string; url: string; accessToken: string; nowMs: number; replay: ReplayCache },
): Promise<string> {
  const { jwk } = await verifyRequestProof(proof, {
    what: "device proof",
    typ: TYP,
    maxLength: 8192,
    keyOf: (key) => ({ key, algorithms: ALGORITHMS }),
    exactHtu: true,
    replayPrefix: "device:",
    ...req,
    skewSeconds: 60,
  });
  return jwkThumbprint(jwk);
}
