/**
 * Tokens for tests that drive the API without signing in: signed the way the authorization server
 * signs them (Ed25519, `at+jwt`, `tid`/`oid`/`idtyp`, audience `urn:hostpass:api`), with a key
 * published in the server's trust exactly as the authorization server's keys are. The end-to-end
 * tests (test/e2e) get real tokens from the real sign-in instead.
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { calculateJwkThumbprint, type JWK, SignJWT } from "jose";
import { MANAGEMENT_API_RESOURCE } from "../../src/auth/index.ts";
import type { ApiPrincipal, TokenTrust } from "../../src/server/auth/tokens.ts";

export const TEST_ISSUER = "https://hostpass.test/oauth2";

export interface TestTokenKeys {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: Readonly<Record<string, string>>;
  readonly trust: TokenTrust;
}

export async function createTestTokenKeys(): Promise<TestTokenKeys> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, "sha256");
  const publicJwk = { kty: "OKP", crv: "Ed25519", x: String(jwk.x), kid, alg: "EdDSA", use: "sig" };
  const trust = Object.freeze({ issuer: TEST_ISSUER, audience: MANAGEMENT_API_RESOURCE, keys: [publicJwk] });
  return { kid, privateKey, publicJwk, trust };
}

export interface MintOptions {
  readonly lifetimeSeconds?: number;
  readonly audience?: string;
  readonly issuer?: string;
  readonly now?: number;
  /** The `scope` claim; default `user_impersonation`. `null` leaves the claim out. */
  readonly scope?: unknown;
}

export async function mintAccessToken(
  keys: Pick<TestTokenKeys, "kid" | "privateKey">,
  principal: ApiPrincipal,
  options: MintOptions = {},
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const idtyp = principal.type === "user" ? "user" : "app";
  const scope = options.scope === undefined ? "user_impersonation" : options.scope;
  const claims = {
    tid: principal.tenantId,
    oid: principal.objectId,
    idtyp,
    ...(scope === null ? {} : { scope }),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: keys.kid })
    .setSubject(principal.objectId)
    .setIssuer(options.issuer ?? TEST_ISSUER)
    .setAudience(options.audience ?? MANAGEMENT_API_RESOURCE)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(keys.privateKey);
}
