import { generateKeyPairSync } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import type { SigningKeyWriter } from "./ports.ts";

/**
 * First start: the authorization server needs one active token-signing key. Ed25519 (EdDSA):
 * small, fast, no parameters to get wrong. The store seals it with the key-encryption key. Two
 * replicas starting at once: the store refuses the second active key, and both use the first.
 */
export async function ensureSigningKey(keys: SigningKeyWriter): Promise<void> {
  if ((await keys.listSigningKeys()).some((key) => key.status === "active")) return;
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  const privateJwk = { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), d: String(jwk.d), kid };
  try {
    await keys.addSigningKey(privateJwk, "active");
  } catch (error) {
    if (!(await keys.listSigningKeys()).some((key) => key.status === "active")) throw error;
  }
}
