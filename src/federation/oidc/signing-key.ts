/**
 * The key hostpass signs its `private_key_jwt` client assertions to an upstream provider with
 * (RFC 7523): RSA 2048 / RS256, which every provider that offers the method accepts (Entra ID,
 * Okta, Keycloak, hostpass). Made by hostpass; the administrator handles nothing secret: the
 * provider registers the public key (or fetches it from the JWKS URI).
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import type { ProviderSigningKey } from "./types.ts";

/** RFC 7638 thumbprint of an RSA public JWK. */
function thumbprint(jwk: { n: string; e: string }): string {
  return createHash("sha256")
    .update(JSON.stringify({ e: jwk.e, kty: "RSA", n: jwk.n }))
    .digest("base64url");
}

/** A new key: the public half for the settings, the private JWK (JSON) for the sealed store. */
export function newSigningKey(now: Date): { key: ProviderSigningKey; privateJwk: string } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pub = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const kid = thumbprint(pub);
  return {
    key: {
      kid,
      alg: "RS256",
      publicJwk: { kty: "RSA", n: pub.n, e: pub.e },
      createdAt: now.toISOString(),
    },
    privateJwk: JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" }),
  };
}

/** The public key set the provider fetches or is given: `{ keys: [...] }`, empty without a key. */
export function publicJwks(key: ProviderSigningKey | undefined): { keys: Record<string, string>[] } {
  return key === undefined
    ? { keys: [] }
    : { keys: [{ ...key.publicJwk, kid: key.kid, alg: key.alg, use: "sig" }] };
}
