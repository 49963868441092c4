/**
 * What sign-in needs from storage, as the store provides it (src/store's sign-in repositories have
 * these shapes). Declared here, structurally, so the server's wiring does not depend on the
 * store's internals and tests can hand in their own.
 */

import type { SignInLogRepository } from "../../audit/index.ts";
import type { KeyStore, OidcStorage, SigningKeyStatus, ThrottleStore } from "../../auth/index.ts";
import type { Passkey } from "../../mfa/index.ts";
import type { PortalStateStore } from "../../portal/index.ts";
import type { RateCounters } from "../../shared/rate-counters.ts";
import type { SharedSecrets } from "../keys/cookie-keys.ts";

export interface SigningKeyWriter extends KeyStore {
  /** Seals and stores a private JWK (its `kid` is the key); a second `active` key is refused. */
  addSigningKey(privateJwk: Readonly<Record<string, string>>, status: SigningKeyStatus): Promise<void>;
}

export interface TotpFactorRecord {
  /** The base32 seed, opened. */
  readonly secret: string;
  readonly lastUsedStep: number | null;
}

export interface StoredPasskeyRecord {
  readonly accountId: string;
  readonly passkey: Passkey;
}

export interface FactorStore {
  getTotp(accountId: string): Promise<TotpFactorRecord | undefined>;
  saveTotp(accountId: string, secret: string, lastUsedStep: number | null, now: Date): Promise<void>;
  /** True for exactly one caller per (account, step) later than the last: a code works once. */
  useTotpStep(accountId: string, step: number, now: Date): Promise<boolean>;
  listPasskeys(accountId: string): Promise<readonly StoredPasskeyRecord[]>;
  findPasskey(credentialId: string): Promise<StoredPasskeyRecord | undefined>;
  addPasskey(accountId: string, passkey: Passkey, now: Date): Promise<void>;
  updatePasskeyCounter(accountId: string, credentialId: string, counter: number, now: Date): Promise<boolean>;
}

/** Everything sign-in stores, as `startServer` hands it over. */
export interface SignInStores {
  readonly oidc: OidcStorage;
  readonly signingKeys: SigningKeyWriter;
  /** Shared counters for replicas; the in-memory one otherwise. */
  readonly throttle?: ThrottleStore;
  /** The attempt limits' counters, shared by replicas; this process's memory otherwise. */
  readonly rateCounters?: RateCounters;
  /** The portal's server-side state (flows, challenges, sessions), shared by replicas; memory otherwise. */
  readonly portalState?: PortalStateStore;
  /** Sealed secrets every replica shares (cookie keys); the data directory's file otherwise. */
  readonly serverSecrets?: SharedSecrets;
  readonly mfa: FactorStore;
  readonly signInLog: SignInLogRepository;
}
