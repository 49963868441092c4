import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import { calculateJwkThumbprint, type JWK } from "jose";
import { CaProofInvalidError, createDeviceProof, MemoryReplayCache, verifyDeviceProof } from "./index.ts";

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
