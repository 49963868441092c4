/**
 * Access tokens for the management API. There is one token system: the authorization server
 * (src/auth, mounted at /oauth2) issues them for the resource `urn:hostpass:api`, signed by its
 * key set, and this module checks them against the keys that server publishes. Nothing else signs
 * API tokens.
 */
import { createLocalJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { systemClock } from "../../shared/clock.ts";
import { ExpiringCache } from "../../shared/expiring-cache.ts";
import { MANAGEMENT_API_SCOPE } from "../../shared/well-known.ts";
import { UnauthenticatedError } from "../errors.ts";

export const PRINCIPAL_TYPES = ["user", "servicePrincipal", "managedIdentity"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** Who is calling, as the verified token says (the directory may refine `type`, see authenticate.ts). */
export interface ApiPrincipal {
  readonly objectId: string;
  readonly tenantId: string;
  readonly type: PrincipalType;
  /** A user's sign-in (the token's `gid`): revoked by logout or refresh-token reuse. */
  readonly grantId?: string;
  /** The token's `iat` (epoch seconds), against the principal's sessions-valid-from time. */
  readonly issuedAt?: number;
  /** The OAuth client the token was issued to (`client_id`): a host agent's names its machine. */
  readonly clientId?: string;
}

/** The management API as a resource of the authorization server (RFC 8707 resource indicator). */
export { MANAGEMENT_API_RESOURCE } from "../../auth/index.ts";

/** What a token must match: the issuer, this API's audience, and the issuer's published keys. */
export interface TokenTrust {
  readonly issuer: string;
  readonly audience: string;
  /** Public JWKs (one algorithm: EdDSA for Ed25519 keys or ES256 for P-256), as the issuer publishes. */
  readonly keys: readonly Readonly<Record<string, string>>[];
}

/** RFC 9068 access-token type: an ID token or any other JWT of the issuer is not accepted as one. */
const TOKEN_TYPE = "at+jwt";
/** `scope` is one space-separated string (RFC 9068 §2.2.3); any other shape is refused. */
function grantsApiScope(scope: unknown): boolean {
  return typeof scope === "string" && scope.split(" ").includes(MANAGEMENT_API_SCOPE);
}

/** Clock skew we forgive on `exp`/`nbf`/`iat`. */
const CLOCK_TOLERANCE_S = 60;
/** No token is good for more than a day, whatever its `exp` says. */
const MAX_TOKEN_AGE_S = 24 * 3600;

/** One key set object per trust: rebuilt only when the issuer's keys change (reloadKeys). */
const keySets = new WeakMap<TokenTrust, { get: JWTVerifyGetKey; algorithms: string[] }>();

function keySetOf(trust: TokenTrust) {
  let set = keySets.get(trust);
  if (set === undefined) {
    // The algorithm is pinned to the keys' type, so `none`, HS* and cross-type confusion cannot happen.
    const algorithms = [...new Set(trust.keys.map((k) => (k.kty === "OKP" ? "EdDSA" : "ES256")))];
    set = { get: createLocalJWKSet({ keys: trust.keys.map((k) => ({ ...k })) }), algorithms };
    keySets.set(trust, set);
  }
  return set;
}

/**
 * Tokens that verified, by their exact text, until they would stop verifying. jose verifies
 * through WebCrypto's thread pool (~0.3 ms a call); a client reuses its token for many calls, so
 * a hit skips that. Only successes are cached; the issuer and audience are part of the key.
 */
const verified = new ExpiringCache<string, ApiPrincipal>({
  max: 10_000,
  ttlMs: MAX_TOKEN_AGE_S * 1000,
  clock: systemClock,
});

/**
 * Verifies a bearer token: signature by one of the issuer's published keys with the algorithm
 * pinned, `typ`, issuer, audience, the API's scope, expiry with bounded leeway, `tid`/`oid`/`idtyp`. Any failure
 * is the same fixed 401, so a caller learns nothing.
 */
export async function verifyAccessToken(trust: TokenTrust, token: string): Promise<ApiPrincipal> {
  const cacheKey = `${trust.issuer} ${trust.audience} ${token}`;
  const cached = verified.get(cacheKey);
  if (cached !== undefined) return cached;
  try {
    const keys = keySetOf(trust);
    const { payload } = await jwtVerify(token, keys.get, {
      algorithms: keys.algorithms,
      typ: TOKEN_TYPE,
      issuer: trust.issuer,
      audience: trust.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: MAX_TOKEN_AGE_S,
      requiredClaims: ["sub", "exp", "iat", "tid", "oid", "idtyp", "scope"],
    });
    // The audience says which API the token is for, the scope what it may do there: a token for
    // this API that was not granted `user_impersonation` (a narrower scope added later, or a
    // token minted for another purpose) acts for nobody.
    if (!grantsApiScope(payload.scope)) throw new Error("scope missing");
    const { oid, tid, idtyp, gid } = payload;
    if (typeof oid !== "string" || typeof tid !== "string" || (idtyp !== "user" && idtyp !== "app")) {
      throw new Error("bad claims");
    }
    // `app` tokens are service principals' (client credentials); the directory check tells a
    // managed identity apart.
    const type: PrincipalType = idtyp === "user" ? "user" : "servicePrincipal";
    const grant = typeof gid === "string" ? { grantId: gid } : {};
    const client = typeof payload.client_id === "string" ? { clientId: payload.client_id } : {};
    const issuedAt = payload.iat as number;
    const principal: ApiPrincipal = Object.freeze({
      objectId: oid,
      tenantId: tid,
      type,
      issuedAt,
      ...grant,
      ...client,
    });
    // Good until the first of: expiry (plus the leeway jose allowed) and the maximum token age.
    const until = Math.min(
      ((payload.exp as number) + CLOCK_TOLERANCE_S) * 1000,
      ((payload.iat as number) + MAX_TOKEN_AGE_S) * 1000,
    );
    verified.setUntil(cacheKey, principal, until);
    return principal;
  } catch (error) {
    throw new UnauthenticatedError({ cause: error });
  }
}
