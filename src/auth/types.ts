/**
 * What the authorization server needs from the rest of hostpass. `directory/` (through an adapter
 * the server wires) answers the account questions, `store/` keeps the OAuth artefacts, and the key
 * store holds the token-signing keys. Plain data only; nothing here knows about HTTP.
 */

/** A user as the authorization server sees it. `id` is the immutable object id and the `sub`. */
export interface AccountRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly enabled: boolean;
  /**
   * Claims that may be released to clients by scope: `name`, `preferred_username` (the UPN),
   * `email`. Never `sub`, `tid` or `oid`; the server sets those itself.
   */
  readonly claims: Readonly<Record<string, string | boolean>>;
  /** Epoch ms before which every token of this account is void (sign-in sessions revoked); absent: never. */
  readonly sessionsValidFrom?: number;
  /**
   * The names of the groups the user is in (directly or not), released as the `groups` claim to
   * clients granted the `groups` scope (hostpass as another relying party's provider). Read only
   * when claims are built.
   */
  readonly groups?: () => Promise<readonly string[]>;
}

/** A service principal as a confidential OAuth client (client id = app id). */
export interface ServicePrincipalRecord {
  readonly appId: string;
  /** The principal's object id (`oid` in its tokens). */
  readonly objectId: string;
  readonly tenantId: string;
  readonly displayName: string;
  readonly enabled: boolean;
  /** True when it has at least one unexpired client secret. */
  readonly hasClientSecret: boolean;
  /** Public JWKs of its unexpired certificate credentials (for `private_key_jwt`). */
  readonly certificateJwks: readonly Readonly<Record<string, string>>[];
  /** Epoch ms before which every token of this principal is void; absent: never revoked. */
  readonly sessionsValidFrom?: number;
  /**
   * Redirect URIs of the application as a web sign-in client (authorization code with PKCE and
   * its client secret): another service that signs its users in through hostpass. Empty: none.
   */
  readonly redirectUris?: readonly string[];
}

export interface AccountSource {
  /** The user with this object id, enabled or not; `undefined` when it does not exist. */
  findAccount(accountId: string): Promise<AccountRecord | undefined>;
  findServicePrincipal(appId: string): Promise<ServicePrincipalRecord | undefined>;
  /** Compares against the stored hashes (constant time); false for unknown, disabled or expired. */
  verifyClientSecret(appId: string, secret: string): Promise<boolean>;
}

/**
 * A token-signing key. Exactly one key is `active` (it signs); `next` keys are published in the
 * JWKS before they sign so that verifiers have cached them by the time they do; `retiring` keys
 * are still published so that tokens they signed stay verifiable until those expire.
 */
export type SigningKeyStatus = "next" | "active" | "retiring";

export interface SigningKey {
  readonly status: SigningKeyStatus;
  /** A private JWK: OKP Ed25519 (signs EdDSA) or EC P-256 (signs ES256), with a unique `kid`. */
  readonly privateJwk: Readonly<Record<string, string>>;
}

export interface KeyStore {
  listSigningKeys(): Promise<readonly SigningKey[]>;
}

/** The oidc-provider models the server persists (the `Client` model is answered from config and the directory). */
export const OIDC_MODELS = [
  "Session",
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "ClientCredentials",
  "Interaction",
  "ReplayDetection",
  "PushedAuthorizationRequest",
  "Grant",
  "BackchannelAuthenticationRequest",
] as const;
export type OidcModelName = (typeof OIDC_MODELS)[number];

/** An oidc-provider payload: a JSON object; `grantId`, `userCode`, `uid` and `consumed` have meaning to the store. */
export type OidcPayload = Readonly<Record<string, unknown>>;

/**
 * Storage for oidc-provider's models, keyed by (model, id). Entries expire `expiresInSeconds`
 * after they are written; an expired entry is never returned. Implementations must index
 * `grantId` (revocation), `userCode` (device flow) and `uid` (sessions).
 */
export interface OidcStorage {
  upsert(model: OidcModelName, id: string, payload: OidcPayload, expiresInSeconds: number): Promise<void>;
  /**
   * Inserts only when no live entry exists; true when this call inserted. Must be atomic across
   * replicas (a unique key): it is what makes `private_key_jwt` and DPoP `jti` replay fail.
   */
  insertIfAbsent(
    model: OidcModelName,
    id: string,
    payload: OidcPayload,
    expiresInSeconds: number,
  ): Promise<boolean>;
  find(model: OidcModelName, id: string): Promise<OidcPayload | undefined>;
  findByUserCode(model: OidcModelName, userCode: string): Promise<OidcPayload | undefined>;
  findByUid(model: OidcModelName, uid: string): Promise<OidcPayload | undefined>;
  /**
   * Marks the entry consumed (payload `consumed` = now in epoch seconds). Returns true only for
   * the first caller: atomic (e.g. `UPDATE ... WHERE consumed IS NULL`), so that two concurrent
   * redemptions of one code or refresh token cannot both succeed.
   */
  consume(model: OidcModelName, id: string): Promise<boolean>;
  destroy(model: OidcModelName, id: string): Promise<void>;
  revokeByGrantId(model: OidcModelName, grantId: string): Promise<void>;
}

/** Counters and small records with a lifetime, for rate limits (shared by replicas in production). */
export interface ThrottleStore {
  /** Adds one to the counter (created with this lifetime when absent) and returns the new value. */
  increment(key: string, lifetimeSeconds: number): Promise<number>;
  /** The counter's value; 0 when absent or expired. */
  count(key: string): Promise<number>;
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string, lifetimeSeconds: number): Promise<void>;
}
