import { randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { UnauthenticatedError } from "../errors.ts";
import { TtlCache } from "../lib/ttl-cache.ts";
import { type ServiceKeys, TOKEN_ALGORITHM } from "./service-keys.ts";

export const PRINCIPAL_TYPES = ["user", "servicePrincipal", "managedIdentity"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** Who is calling, as the verified token says. */
export interface ApiPrincipal {
  readonly objectId: string;
  readonly tenantId: string;
  readonly type: PrincipalType;
}

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
}

export const DEFAULT_TOKEN_SETTINGS: TokenSettings = Object.freeze({
  issuer: "urn:hostpass:server",
  audience: "urn:hostpass:api",
});

/** RFC 9068 access-token type: an ID token or any other JWT of ours is not accepted as one. */
const TOKEN_TYPE = "at+jwt";
/** Clock skew we forgive on `exp`/`nbf`/`iat`. */
const CLOCK_TOLERANCE_S = 60;
/** No token is good for more than a day, whatever its `exp` says. */
const MAX_TOKEN_AGE_S = 24 * 3600;

export interface MintOptions {
  readonly lifetimeSeconds?: number;
  readonly audience?: string;
  readonly issuer?: string;
  readonly now?: number;
}

/** Signs an API access token. Sign-in (a later issue) and the test helper are the callers. */
export async function mintAccessToken(
  keys: ServiceKeys,
  settings: TokenSettings,
  principal: ApiPrincipal,
  options: MintOptions = {},
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  return new SignJWT({ tid: principal.tenantId, idtyp: principal.type })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: TOKEN_TYPE, kid: keys.kid })
    .setSubject(principal.objectId)
    .setIssuer(options.issuer ?? settings.issuer)
    .setAudience(options.audience ?? settings.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

/**
 * Tokens that verified, by their exact text, until they would stop verifying. jose verifies
 * Ed25519 through WebCrypto's thread pool (~0.3 ms a call); a client reuses its token for many
 * calls, so a hit skips that. Only successes are cached; the key and settings are part of the key.
 */
const verified = new TtlCache<ApiPrincipal>(10_000);

/**
 * Verifies a bearer token: signature with our key only, `alg` pinned, `typ`, issuer, audience,
 * expiry with bounded leeway. Any failure is the same fixed 401, so a caller learns nothing.
 */
export async function verifyAccessToken(
  keys: ServiceKeys,
  settings: TokenSettings,
  token: string,
): Promise<ApiPrincipal> {
  const cacheKey = `${keys.kid} ${settings.issuer} ${settings.audience} ${token}`;
  const cached = verified.get(cacheKey);
  if (cached !== undefined) return cached;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keys.publicKey, {
      algorithms: [TOKEN_ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: settings.issuer,
      audience: settings.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      maxTokenAge: MAX_TOKEN_AGE_S,
      requiredClaims: ["sub", "exp", "iat", "tid", "idtyp"],
    });
    if (protectedHeader.kid !== keys.kid) throw new Error("unknown kid");
    const { sub, tid, idtyp } = payload;
    if (typeof sub !== "string" || typeof tid !== "string" || !isPrincipalType(idtyp)) {
      throw new Error("bad claims");
    }
    const principal: ApiPrincipal = Object.freeze({ objectId: sub, tenantId: tid, type: idtyp });
    // Good until the first of: expiry (plus the leeway jose allowed) and the maximum token age.
    const until = Math.min(
      ((payload.exp as number) + CLOCK_TOLERANCE_S) * 1000,
      ((payload.iat as number) + MAX_TOKEN_AGE_S) * 1000,
    );
    verified.set(cacheKey, principal, until);
    return principal;
  } catch (error) {
    throw new UnauthenticatedError({ cause: error });
  }
}

function isPrincipalType(value: unknown): value is PrincipalType {
  return typeof value === "string" && (PRINCIPAL_TYPES as readonly string[]).includes(value);
}
