/**
 * The repositories of migration 0002. Where a domain folder declares the interface (auth's
 * `OidcStorage`, `KeyStore`, `ThrottleStore`; ca's `CertificateLedger`), these extend it with
 * what the server needs around it (cleanup, rotation helpers, queries). The rest (CA key records,
 * second factors, the sign-in log) has no declaration in a domain folder yet, so it is declared
 * here; it belongs in ca/, mfa/ and audit/ once those folders take it over.
 */
import type {
  KeyStore,
  OidcModelName,
  OidcPayload,
  OidcStorage,
  SigningKeyStatus,
  ThrottleStore,
} from "../auth/index.ts";
import type { CaKeyRecord, CaPurpose, CertificateLedger, IssuedCertificate } from "../ca/index.ts";
import type { Passkey } from "../mfa/index.ts";

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  /** 1..1000. */
  readonly limit: number;
  readonly cursor?: string;
}

export interface OidcStore extends OidcStorage {
  /**
   * `insertIfAbsent` for several entries of one model in one statement: true only when every one
   * was inserted (none live before, none named twice). Inside a transaction, false or an error
   * leaves the caller to roll back.
   */
  insertAllIfAbsent(
    model: OidcModelName,
    entries: readonly {
      readonly id: string;
      readonly payload: OidcPayload;
      readonly expiresInSeconds: number;
    }[],
  ): Promise<boolean>;
  /** Deletes expired entries (they are already invisible); returns how many. */
  deleteExpired(): Promise<number>;
}

export interface SqlThrottleStore extends ThrottleStore {
  deleteExpired(): Promise<number>;
}

/** The portal's `PortalStateStore` (src/portal/lib/state-store.ts) in the store, shared by replicas. */
export interface PortalStateRepository {
  put(key: string, value: string, ttlMs: number, nowMs: number): Promise<void>;
  get(key: string, nowMs: number): Promise<string | undefined>;
  take(key: string, nowMs: number): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** Sets `key` unless it is set and live; true for exactly one caller at a time. */
  claim(key: string, ttlMs: number, nowMs: number): Promise<boolean>;
  deleteExpired(nowMs: number): Promise<number>;
}

/** Secrets every replica shares (cookie keys), sealed with the key-encryption key. */
export interface ServerSecretRepository {
  get(name: string): Promise<string | undefined>;
  /** Stores `value` unless a value is already stored under `name` (then nothing changes). */
  createIfAbsent(name: string, value: string, nowMs: number): Promise<void>;
}

/** Token-signing keys, sealed at rest. Generating the first key is the server's job. */
export interface SigningKeyRepository extends KeyStore {
  /** Seals and stores a private JWK (its `kid` is the key); a second `active` key is refused. */
  addSigningKey(privateJwk: Readonly<Record<string, string>>, status: SigningKeyStatus): Promise<void>;
  /** False when there is no such key. Making a key `active` while another is fails (use activate). */
  setSigningKeyStatus(kid: string, status: SigningKeyStatus): Promise<boolean>;
  /** In one transaction: the active key becomes `retiring`, `kid` becomes `active`. False if unknown. */
  activateSigningKey(kid: string): Promise<boolean>;
  /** Deletes the key (after the tokens it signed have expired). */
  removeSigningKey(kid: string): Promise<boolean>;
}

export interface CaKeyRepository {
  list(purpose?: CaPurpose): Promise<readonly CaKeyRecord[]>;
  /** Stores the record as given (its private key is already sealed by ca/createCaKey). */
  insert(record: CaKeyRecord): Promise<void>;
  /**
   * Saves the states of the records `rotate` returned, in one transaction (keys leaving `active`
   * first, so the one-active-key index holds at every step). Fails when another replica activated
   * a key meanwhile.
   */
  saveStates(records: readonly Pick<CaKeyRecord, "id" | "state" | "stateChangedAt">[]): Promise<void>;
}

export interface CertificateRecord extends IssuedCertificate {
  readonly revokedAt?: Date;
  readonly revocationReason?: string;
}

export interface CertificateQuery {
  readonly tenantId: string;
  readonly objectId?: string;
  /** The Linux name the certificate was issued for. */
  readonly principal?: string;
  /** Issued at or after (inclusive). */
  readonly from?: Date;
  /** Issued before (exclusive). */
  readonly to?: Date;
  /** Only certificates still valid at this moment (validAfter <= t < validBefore). */
  readonly validAt?: Date;
  readonly revoked?: boolean;
}

export interface Revocations {
  /** Revoked serials of certificates not yet expired, ascending. */
  readonly serials: readonly bigint[];
  /** Revoked key ids (`<objectId>@<tenantId>`), ascending. */
  readonly keyIds: readonly string[];
}

export interface CertificateRepository extends CertificateLedger {
  /** Several certificates, one INSERT per 500 (issuance's group commit, inside its transaction). */
  recordMany(list: readonly IssuedCertificate[]): Promise<void>;
  get(serial: bigint): Promise<CertificateRecord | undefined>;
  /** Newest first (issuedAt, then serial). */
  list(query: CertificateQuery, page: PageRequest): Promise<Page<CertificateRecord>>;
  /** True when this call revoked it; false when unknown or already revoked. */
  revokeSerial(serial: bigint, at: Date, reason: string): Promise<boolean>;
  /** Revokes every certificate with this key id (a KRL `id:` entry). Idempotent; true when new. */
  revokeKeyId(tenantId: string, keyId: string, at: Date, reason: string): Promise<boolean>;
  /** What a KRL must list at `now`, optionally for the certificates of one CA key. */
  revocations(now: Date, caKeyId?: string): Promise<Revocations>;
}

export interface TotpFactor {
  /** The base32 seed, opened. */
  readonly secret: string;
  readonly lastUsedStep: number | null;
  readonly createdAt: Date;
}

export interface StoredPasskey {
  readonly accountId: string;
  readonly tenantId: string;
  readonly passkey: Passkey;
  readonly createdAt: Date;
  readonly lastUsedAt?: Date;
}

export interface MfaRepository {
  getTotp(accountId: string): Promise<TotpFactor | undefined>;
  /** Seals and stores (or replaces) the account's TOTP seed with the step of the confirming code. */
  saveTotp(accountId: string, secret: string, lastUsedStep: number | null, now: Date): Promise<void>;
  /**
   * Records `step` as used if it is later than the last one: true for exactly one of several
   * concurrent callers with the same code, so a code works once even across replicas.
   */
  useTotpStep(accountId: string, step: number, now: Date): Promise<boolean>;
  deleteTotp(accountId: string): Promise<boolean>;
  listPasskeys(accountId: string): Promise<readonly StoredPasskey[]>;
  findPasskey(credentialId: string): Promise<StoredPasskey | undefined>;
  /** Fails with PasskeyInUseError when the credential id is already registered (to anyone). */
  addPasskey(accountId: string, passkey: Passkey, now: Date): Promise<void>;
  /** Saves the counter after an assertion; false when unknown or when it would move backwards. */
  updatePasskeyCounter(accountId: string, credentialId: string, counter: number, now: Date): Promise<boolean>;
  deletePasskey(accountId: string, credentialId: string): Promise<boolean>;
}

// The sign-in log's contract is audit/'s (it declares, the store implements).
export {
  SIGN_IN_RESULTS,
  type SignInLogEntry,
  type SignInLogQuery,
  type SignInLogRepository,
  type SignInResult,
} from "../audit/index.ts";
