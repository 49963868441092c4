/**
 * Verifies an access token for the Linux VM Sign-In resource, as the CA must before it signs
 * anything: signature by one of the issuer's published keys with the pinned algorithm, `typ`
 * `at+jwt` (so an ID token or any other JWT from the same issuer is refused), `iss`, `aud` = the
 * resource, `exp`/`nbf`/`iat` with at most 60 s of leeway, the `vm.login` scope, and optionally
 * the tenant. Any failure is one `InvalidAccessTokenError`.
 */
import { createLocalJWKSet, type JWTPayload, jwtVerify } from "jose";
import { ACCESS_TOKEN_TYP, LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "./constants.ts";
import { InvalidAccessTokenError } from "./errors.ts";

export const MAX_CLOCK_SKEW_SECONDS = 60;

export interface LinuxSignInToken {
  readonly tokenId: string;
  readonly subject: string;
  /** The user's or service principal's object id. */
  readonly objectId: string;
  readonly tenantId: string;
  readonly identityType: "user" | "app";
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** How the user signed in (`pwd`, `mfa`, ...); empty for apps. */
  readonly amr: readonly string[];
  readonly acr: string | undefined;
  readonly authTime: number | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The grant (sign-in) the token came from; users only. */
  readonly grantId: string | undefined;
  /** DPoP key thumbprint when the token is sender-constrained (`cnf.jkt`). */
  readonly confirmationJkt: string | undefined;
}

export interface VerifyLinuxSignInTokenOptions {
  readonly issuer: string;
  readonly jwks: { readonly keys: readonly Readonly<Record<string, string>>[] };
  readonly algorithm: "EdDSA" | "ES256";
  /** Default 30, at most 60. */
  readonly clockSkewSeconds?: number;
  /** When set, tokens of any other tenant are refused. */
  readonly tenantId?: string;
  readonly now?: () => Date;
}

const REQUIRED = ["jti", "sub", "iat", "exp", "client_id", "tid", "oid", "idtyp"];

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function toToken(payload: JWTPayload): LinuxSignInToken {
  const p = payload as Record<string, unknown>;
  const text = (name: string) => (typeof p[name] === "string" ? (p[name] as string) : undefined);
  const idtyp = text("idtyp");
  if (idtyp !== "user" && idtyp !== "app") throw new Error("unknown idtyp");
  const scopes = (text("scope") ?? "").split(" ").filter(Boolean);
  if (!scopes.includes(LINUX_VM_SIGN_IN_SCOPE)) throw new Error("scope missing");
  const cnf = p.cnf as Record<string, unknown> | undefined;
  return {
    tokenId: text("jti") ?? "",
    subject: text("sub") ?? "",
    objectId: text("oid") ?? "",
    tenantId: text("tid") ?? "",
    identityType: idtyp,
    clientId: text("client_id") ?? "",
    scopes,
    amr: stringList(p.amr),
    acr: text("acr"),
    authTime: typeof p.auth_time === "number" ? p.auth_time : undefined,
    issuedAt: payload.iat ?? 0,
    expiresAt: payload.exp ?? 0,
    grantId: text("gid"),
    confirmationJkt: typeof cnf?.jkt === "string" ? cnf.jkt : undefined,
  };
}

/**
 * One verifier per published key set: jose caches the imported keys inside a JWKSet, so building
 * it per call re-imported every key on every request (the CA's hot path).
 */
const keySets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();
function keySetOf(jwks: VerifyLinuxSignInTokenOptions["jwks"]): ReturnType<typeof createLocalJWKSet> {
  let set = keySets.get(jwks);
  if (!set) {
    set = createLocalJWKSet({ keys: jwks.keys.map((k) => ({ ...k })) });
    keySets.set(jwks, set);
  }
  return set;
}

/** Stateless checks only; `AuthorizationServer.verifyLinuxSignInToken` adds revocation. */
export async function verifyLinuxSignInTokenWith(
  token: string,
  options: VerifyLinuxSignInTokenOptions,
): Promise<LinuxSignInToken> {
  const skew = options.clockSkewSeconds ?? 30;
  if (!(skew >= 0 && skew <= MAX_CLOCK_SKEW_SECONDS)) throw new TypeError("clockSkewSeconds must be 0..60");
  if (typeof token !== "string" || token.length === 0 || token.length > 16384) {
    throw new InvalidAccessTokenError();
  }
  try {
    const now = options.now?.() ?? new Date();
    const keys = keySetOf(options.jwks);
    const { payload } = await jwtVerify(token, keys, {
      issuer: options.issuer,
      audience: LINUX_VM_SIGN_IN_RESOURCE,
      algorithms: [options.algorithm],
      typ: ACCESS_TOKEN_TYP,
      clockTolerance: skew,
      requiredClaims: REQUIRED,
      currentDate: now,
    });
    // jose checks exp and nbf; a token "issued" in the future is as suspect.
    if ((payload.iat ?? 0) > now.getTime() / 1000 + skew) throw new Error("iat in the future");
    // A single audience: a token that also names other resources could be replayed to them.
    if (Array.isArray(payload.aud) && payload.aud.length !== 1) throw new Error("several audiences");
    const verified = toToken(payload);
    if (options.tenantId !== undefined && verified.tenantId !== options.tenantId) {
      throw new Error("tenant mismatch");
    }
    return verified;
  } catch (cause) {
    throw new InvalidAccessTokenError({ cause });
  }
}
