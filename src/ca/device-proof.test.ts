import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import { calculateJwkThumbprint, type JWK } from "jose";
import { CaProofInvalidError, createDeviceProof, MemoryReplayCache, verifyDeviceProof } from "./index.ts";
import { jwkThumbprint } from "./lib/request-proof.ts";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const jwk = publicKey.export({ format: "jwk" }) as JWK;
const request = { method: "POST", url: "https://hostpass.test/ssh/certificates", accessToken: "token-1" };
const check = (proof: string, replay = new MemoryReplayCache(), extra: Partial<typeof request> = {}) =>
  verifyDeviceProof(proof, { ...request, ...extra, nowMs: Date.now(), replay });

test("a device proof yields the device key's thumbprint, once", async () => {
  const replay = new MemoryReplayCache();
  const proof = await createDeviceProof(privateKey, jwk, request);
  assert.equal(await check(proof, replay), await calculateJwkThumbprint(jwk, "sha256"));
  await assert.rejects(check(proof, replay), CaProofInvalidError, "replayed");
});

test("a device proof for another request, token or key is refused", async () => {
  const proof = await createDeviceProof(privateKey, jwk, request);
  await assert.rejects(
    check(proof, undefined, { url: "https://evil.test/ssh/certificates" }),
    CaProofInvalidError,
  );
  await assert.rejects(check(proof, undefined, { accessToken: "token-2" }), CaProofInvalidError);
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  await assert.rejects(
    check(await createDeviceProof(other, jwk, request)),
    CaProofInvalidError,
    "signed by another key",
  );
  const withPrivate = privateKey.export({ format: "jwk" }) as JWK;
  await assert.rejects(check(await createDeviceProof(privateKey, withPrivate, request)), CaProofInvalidError);
  await assert.rejects(check("not.a.jwt"), CaProofInvalidError);
});

test("jwkThumbprint is RFC 7638's thumbprint, as jose computes it, for every key type the CA certifies", async () => {
  const keys = [
    generateKeyPairSync("ed25519").publicKey,
    generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
    generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey,
    generateKeyPairSync("ec", { namedCurve: "P-521" }).publicKey,
    generateKeyPairSync("rsa", { modulusLength: 3072 }).publicKey,
  ];
  for (const key of keys) {
    // Extra members (kid, use, alg) are not hashed.
    const jwk = { ...(key.export({ format: "jwk" }) as JWK), kid: "k1", use: "sig" };
    assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk, "sha256"), String(jwk.kty));
  }
  assert.throws(() => jwkThumbprint({ kty: "oct", k: "c2VjcmV0" }), CaProofInvalidError);
  assert.throws(() => jwkThumbprint({ kty: "OKP", crv: "Ed25519" }), CaProofInvalidError, "x missing");
});
