/**
 * Proof that the request comes from a registered client device: a JWT signed with the device key
 * the CLI holds (`typ: device+jwt`, the public key in the header), bound to the request (`htm`,
 * `htu`), to the access token (`ath`), fresh and single-use. Device compliance in conditional access
 * then rests on a key the device proved it holds, on any client OS.
 */
import { createHash, type KeyObject, randomUUID } from "node:crypto";
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from "jose";
import { CaProofInvalidError } from "./errors.ts";
import type { ReplayCache } from "./proof-of-possession.ts";

const TYP = "device+jwt";
const ALGORITHMS = ["ES256", "EdDSA", "Ed25519"];

export async function createDeviceProof(
  privateKey: KeyObject,
  publicJwk: JWK,
  request: { method: string; url: string; accessToken: string },
  nowMs = Date.now(),
): Promise<string> {
  const alg = publicJwk.kty === "OKP" ? "EdDSA" : "ES256";
  return new SignJWT({
    jti: randomUUID(),
    htm: request.method,
    htu: request.url,
    iat: Math.floor(nowMs / 1000),
    ath: createHash("sha256").update(request.accessToken).digest("base64url"),
  })
    .setProtectedHeader({ alg, typ: TYP, jwk: publicJwk })
    .sign(privateKey);
}

/** Verifies a device proof and returns the RFC 7638 thumbprint of the device key. */
export async function verifyDeviceProof(
  proof: string,
  req: { method: string; url: string; accessToken: string; nowMs: number; replay: ReplayCache },
): Promise<string> {
  const fail = (reason: string, cause?: unknown): never => {
    throw new CaProofInvalidError(`device proof rejected: ${reason}`, { cause });
  };
  if (proof.length > 8192) fail("oversized");
  let jwk: JWK | undefined;
  try {
    jwk = decodeProtectedHeader(proof).jwk as JWK | undefined;
  } catch (cause) {
    fail("not a JWS", cause);
  }
  if (!jwk || "d" in jwk) fail("the header must carry the device's public key");
  let payload: Record<string, unknown> = {};
  try {
    ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
      typ: TYP,
      algorithms: ALGORITHMS,
      currentDate: new Date(req.nowMs),
      clockTolerance: 60,
      maxTokenAge: 120,
      requiredClaims: ["jti", "htm", "htu", "iat", "ath"],
    }));
  } catch (cause) {
    if (cause instanceof joseErrors.JOSEError) fail(`bad proof (${cause.code})`, cause);
    throw cause;
  }
  if (payload.htm !== req.method || payload.htu !== req.url) fail("not made for this request");
  if (payload.ath !== createHash("sha256").update(req.accessToken).digest("base64url"))
    fail("not made with this access token");
  if (typeof payload.jti !== "string" || payload.jti.length < 16) fail("jti must be at least 16 characters");
  if (!(await req.replay.use(`device:${payload.jti}`, req.nowMs + 240_000))) fail("proof was already used");
  return calculateJwkThumbprint(jwk as JWK, "sha256");
}
