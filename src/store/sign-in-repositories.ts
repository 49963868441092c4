/**
 * The repositories of migration 0002, built from one context like the others in open-store.ts.
 * `keyEncryptionKey` (32 bytes, kept outside the database) seals token-signing keys and TOTP
 * seeds; without it those calls fail. CA keys arrive already sealed by ca/.
 */
import type { ConditionalAccessRepository } from "../policy/index.ts";
import type { RateCounters } from "../shared/rate-counters.ts";
import { KEK_BYTES } from "../shared/seal.ts";
import type { StoreContext } from "./lib/context.ts";
import { sqlCaKeyRepository } from "./repositories/sql-ca-key-repository.ts";
import { sqlCertificateRepository } from "./repositories/sql-certificate-repository.ts";
import { sqlConditionalAccessRepository } from "./repositories/sql-conditional-access-repository.ts";
import { sqlMfaRepository } from "./repositories/sql-mfa-repository.ts";
import { sqlOidcStorage } from "./repositories/sql-oidc-storage.ts";
import { sqlPortalState } from "./repositories/sql-portal-state.ts";
import { type ProofReplay, sqlProofReplay } from "./repositories/sql-proof-replay.ts";
import { sqlServerSecrets } from "./repositories/sql-server-secrets.ts";
import { sqlSignInLog } from "./repositories/sql-sign-in-log.ts";
import { sqlSigningKeyRepository } from "./repositories/sql-signing-key-repository.ts";
import { sqlRateCounters, sqlThrottleStore } from "./repositories/sql-throttle-store.ts";
import type {
  CaKeyRepository,
  CertificateRepository,
  MfaRepository,
  OidcStore,
  PortalStateRepository,
  ServerSecretRepository,
  SignInLogRepository,
  SigningKeyRepository,
  SqlThrottleStore,
} from "./sign-in-types.ts";

export interface SignInRepositories {
  /** auth's `OidcStorage` (+ `deleteExpired`). */
  readonly oidc: OidcStore;
  /** ca's `ReplayCache` for DPoP proof ids, atomic across replicas (entries in `oidc`); `useAll` for a group. */
  readonly proofReplay: ProofReplay;
  /** auth's `ThrottleStore`, shared by replicas (+ `deleteExpired`). */
  readonly throttle: SqlThrottleStore;
  /** The one rate-limit mechanism's counters (attempt limits), on the throttle table (0002). */
  readonly rateCounters: RateCounters;
  /** The portal's server-side state: sign-in flows, challenges, sessions (0100). */
  readonly portalState: PortalStateRepository;
  /** Cookie and CSRF keys every replica shares, sealed (0100). */
  readonly serverSecrets: ServerSecretRepository;
  /** auth's `KeyStore` (+ add / status / activate / remove). */
  readonly signingKeys: SigningKeyRepository;
  readonly caKeys: CaKeyRepository;
  /** ca's `CertificateLedger` (+ get / list / revoke / revocations). */
  readonly certificates: CertificateRepository;
  readonly mfa: MfaRepository;
  readonly signInLog: SignInLogRepository;
  /** policy's `ConditionalAccessRepository` (migration 0003). */
  readonly conditionalAccess: ConditionalAccessRepository;
}

/** Copies and checks the key once, so a caller mutating its buffer later changes nothing. */
export function checkKeyEncryptionKey(kek: Uint8Array | undefined): Uint8Array | undefined {
  if (kek === undefined) return undefined;
  if (!(kek instanceof Uint8Array) || kek.length !== KEK_BYTES)
    throw new TypeError(`keyEncryptionKey must be ${KEK_BYTES} bytes`);
  return Uint8Array.from(kek);
}

export function signInRepositories(
  ctx: StoreContext,
  kek: Uint8Array | undefined,
  maxPendingSignIns?: number,
): SignInRepositories {
  const oidc = sqlOidcStorage(ctx);
  return {
    oidc,
    proofReplay: sqlProofReplay(oidc),
    throttle: sqlThrottleStore(ctx),
    rateCounters: sqlRateCounters(ctx),
    portalState: sqlPortalState(
      ctx,
      maxPendingSignIns === undefined ? undefined : { maxPending: maxPendingSignIns },
    ),
    serverSecrets: sqlServerSecrets(ctx, kek),
    signingKeys: sqlSigningKeyRepository(ctx, kek),
    caKeys: sqlCaKeyRepository(ctx),
    certificates: sqlCertificateRepository(ctx),
    mfa: sqlMfaRepository(ctx, kek),
    signInLog: sqlSignInLog(ctx),
    conditionalAccess: sqlConditionalAccessRepository(ctx),
  };
}

/**
 * Deletes expired OAuth entries, throttle counters and portal state every `intervalMs` (default
 * 5 min), so the tables stay bounded by their lifetimes; reads already ignore expired rows. The
 * timer does not keep the process alive. Returns a stop function; failures go to `onError` (the
 * next run retries). Portal state expires on `now` (the portal's clock).
 */
export function startExpirySweep(
  repos: Pick<SignInRepositories, "oidc" | "throttle"> & Partial<Pick<SignInRepositories, "portalState">>,
  options: {
    readonly intervalMs?: number;
    readonly onError?: (error: unknown) => void;
    readonly now?: () => number;
  } = {},
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    Promise.all([
      repos.oidc.deleteExpired(),
      repos.throttle.deleteExpired(),
      repos.portalState?.deleteExpired((options.now ?? Date.now)()),
    ])
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false;
      });
  }, options.intervalMs ?? 300_000);
  timer.unref();
  return () => clearInterval(timer);
}
