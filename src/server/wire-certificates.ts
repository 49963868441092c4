/**
 * Adapts the store to certificate issuance (ca/issuance.ts) and mounts its two routes. CA keys are
 * created and sealed on first start; the ledger row, the activity-log event and the sign-in entry
 * of each certificate commit in one transaction, with concurrent issuances grouped into one
 * commit (shared/group-commit.ts). Routes get a `CertificateIssuance` and nothing else.
 */
import { randomUUID } from "node:crypto";
import {
  type AuditRepository,
  appendAuditEvents,
  type SignInLogEntry,
  type SignInLogRepository,
} from "../audit/index.ts";
import {
  type AccessSignalSource,
  type CaKeyRecord,
  type CaKeyring,
  CaProofInvalidError,
  type CertificateIssuance,
  createCaKey,
  createCaKeyring,
  createCertificateIssuance,
  DEFAULT_LIFETIME_SECONDS,
  type IssuanceDeps,
  type IssuanceEvent,
  type IssuanceRecords,
  type IssuedCertificate,
  type UsedProof,
  type VerifiedSignInToken,
} from "../ca/index.ts";
import type { DirectoryRepository } from "../directory/index.ts";
import { type ConditionalAccessRepository, loadPoliciesForEvaluation } from "../policy/index.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { HostpassError } from "../shared/errors.ts";
import { createGroupCommit } from "../shared/group-commit.ts";
import type { KeyType } from "../ssh/index.ts";
import type { AuditRecord, AuditSink, CertificateListing, SshServices } from "./deps.ts";
import { type IssuanceWorkers, startIssuanceWorkers } from "./issuance-workers.ts";

/** What the CA wiring needs from the store (implemented by src/store's repositories). */
export interface CaKeyStore {
  list(): Promise<readonly CaKeyRecord[]>;
  insert(record: CaKeyRecord): Promise<void>;
}

/**
 * Makes sure an active user CA and host CA exist (first start), and returns all CA records. Two
 * replicas starting at once: the store refuses the second active key, and both use the first.
 */
export async function ensureCaKeys(
  store: CaKeyStore,
  kek: Uint8Array,
  keyType: KeyType,
  now: Date,
): Promise<readonly CaKeyRecord[]> {
  let records = await store.list();
  for (const purpose of ["user", "host"] as const) {
    const active = (list: readonly CaKeyRecord[]) =>
      list.some((r) => r.purpose === purpose && r.state === "active");
    if (!active(records)) {
      try {
        await store.insert({ ...createCaKey(purpose, keyType, kek, now), state: "active" });
      } catch (error) {
        if (!active(await store.list())) throw error;
      }
      records = await store.list();
    }
  }
  return records;
}

/** The repositories an issuance's records are written with, bound to one transaction. */
export interface IssuanceTransaction {
  /** A group's proof ids in one statement: false when any was used before (a replay). */
  readonly proofReplay: { useAll(proofs: readonly UsedProof[]): Promise<boolean> };
  /** A group's certificates in one statement. */
  readonly certificates: { recordMany(list: readonly IssuedCertificate[]): Promise<void> };
  readonly signInLog: Pick<SignInLogRepository, "appendMany">;
  readonly audit: AuditRepository;
}

/** The store's side of issuance, as `openStore` exposes it. */
export interface SshStores {
  readonly caKeys: CaKeyStore;
  /** The ledger as the administration routes read it (issuance records through `transaction`). */
  readonly certificates: CertificateListing;
  readonly directory: DirectoryRepository;
  readonly conditionalAccess: ConditionalAccessRepository;
  readonly signInLog: SignInLogRepository;
  transaction<T>(work: (tx: IssuanceTransaction) => Promise<T>): Promise<T>;
}

const ACTION = "Ssh/certificates/issue";
const TARGET = "/ssh/certificates";

function auditRecordOf(event: IssuanceEvent, now: () => Date): AuditRecord & { now: () => Date } {
  return { ...event, action: ACTION, target: TARGET, correlationId: randomUUID(), now };
}

/**
 * Issued: ledger, activity log and sign-in log in one transaction per group of concurrent
 * issuances (a group that fails is retried one by one, so only the bad one fails). Refused:
 * nothing changed, so the activity-log event goes through the grouped audit writer.
 */
export function issuanceRecords(stores: SshStores, audit: AuditSink, clock: Clock): IssuanceRecords {
  const now = () => new Date(clock());
  type Issued = Parameters<IssuanceRecords["issued"]>[0];
  const group = createGroupCommit<Issued, void>((batch) =>
    stores.transaction(async (tx) => {
      // A replayed proof (or a serial already recorded) fails the group; retried alone, only it fails.
      if (!(await tx.proofReplay.useAll(batch.flatMap((r) => r.proofs))))
        throw new CaProofInvalidError("proof of possession rejected: proof was already used");
      // One INSERT each for the group's ledger rows and sign-in entries (a round trip each on PostgreSQL).
      await tx.certificates.recordMany(batch.map((r) => r.certificate));
      await tx.signInLog.appendMany(batch.map((r) => r.signIn));
      await appendAuditEvents(
        tx.audit,
        batch.map((r) => auditRecordOf(r.event, now)),
      );
      return batch.map(() => undefined);
    }),
  );
  return {
    issued: (record) => group.submit(record),
    async refused(record) {
      await Promise.all([
        audit.append(auditRecordOf(record.event, now)),
        stores.signInLog.append(record.signIn),
      ]);
    },
  };
}

/** Conditional access's questions, answered from the store. */
export function accessSignals(stores: SshStores): AccessSignalSource {
  return {
    policies: (tenantId) => loadPoliciesForEvaluation(stores.conditionalAccess, tenantId),
    groupIds: (tenantId, id) => stores.directory.listTransitiveGroups(tenantId, id),
    device: (tenantId, thumbprint) => stores.directory.findDeviceByThumbprint(tenantId, thumbprint),
    signIns: async (filter, limit): Promise<readonly SignInLogEntry[]> =>
      (await stores.signInLog.query(filter, { limit })).items,
  };
}

/** The certificate subject of a principal: users and service principals only. */
export function subjectFinder(stores: Pick<SshStores, "directory">): IssuanceDeps["findSubject"] {
  return async (tenantId, objectId) => {
    const p = await stores.directory.getPrincipal(tenantId, objectId);
    if (!p || (p.kind !== "user" && p.kind !== "servicePrincipal")) return undefined;
    return { kind: p.kind, tenantId: p.tenantId, objectId: p.id, linuxName: p.linuxName, enabled: p.enabled };
  };
}

export interface SshWiring {
  /** What the `/ssh` routes use (routes/ssh/index.ts registers them in the API's scope). */
  readonly services: SshServices;
  /** Binds issuance to the authorization server once the public URL is known. */
  start(
    publicUrl: string,
    tokens: {
      verifyLinuxSignInToken(token: string): Promise<VerifiedSignInToken & { readonly expiresAt: number }>;
    },
  ): Promise<void>;
  /** After a CA rotation step in this process: the next issuance reads the CA keys again. */
  caKeysChanged(): void;
  /** Stops the issuance workers (their pending writes committed first). */
  close(): Promise<void>;
}

export interface SshOptions {
  readonly certificateLifetimeSeconds?: number | undefined;
  readonly caKeyType?: KeyType;
  readonly clock?: Clock | undefined;
  /** `--issuance-workers N`: issue on N worker threads (issuance-workers.ts); 0: in-process. */
  readonly workers?: {
    readonly count: number;
    readonly storeUrl: string;
    readonly log: (error: unknown) => void;
  };
}

/** Until `start`, the routes answer 503: the issuer (and so token verification) is not known yet. */
export function wireSsh(
  stores: SshStores,
  kek: Uint8Array,
  audit: AuditSink,
  options: SshOptions = {},
): SshWiring {
  const clock = options.clock ?? systemClock;
  let issuance: CertificateIssuance | undefined;
  let keyring: CaKeyring | undefined;
  let workers: IssuanceWorkers | undefined;
  const started = () => {
    if (!issuance) throw new ServiceStartingError("the certificate authority is starting");
    return issuance;
  };
  const late: CertificateIssuance = {
    request: (input) => started().request(input),
    caKeys: () => started().caKeys(),
  };
  const caKeyType = options.caKeyType ?? "ssh-ed25519";
  const caKeysChanged = () => {
    keyring?.invalidate();
    workers?.caKeysChanged();
  };
  return {
    // Until `start`, issuance and `GET /ssh/ca` answer 503; the administration routes work at once.
    services: {
      certificates: late,
      caKeys: stores.caKeys,
      ledger: stores.certificates,
      newCaKey: (purpose, now) => createCaKey(purpose, caKeyType, kek, now),
      certificateLifetimeSeconds: options.certificateLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS,
      caKeysChanged,
    },
    async start(publicUrl, tokens) {
      await ensureCaKeys(stores.caKeys, kek, caKeyType, new Date(clock()));
      keyring = createCaKeyring(stores.caKeys, kek, clock);
      const records = issuanceRecords(stores, audit, clock);
      const inline = createCertificateIssuance({
        url: `${publicUrl}/ssh/certificates`,
        clock,
        verifyAccessToken: (token) => tokens.verifyLinuxSignInToken(token),
        findSubject: subjectFinder(stores),
        signals: accessSignals(stores),
        keyring,
        records,
        ...(options.certificateLifetimeSeconds
          ? { defaultLifetimeSeconds: options.certificateLifetimeSeconds }
          : {}),
      });
      const url = `${publicUrl}/ssh/certificates`;
      const pool = options.workers;
      if (pool && pool.count > 0) {
        workers = await startIssuanceWorkers(
          pool.count,
          { storeUrl: pool.storeUrl, kek, url, defaultLifetimeSeconds: options.certificateLifetimeSeconds },
          {
            inline,
            records,
            verifyToken: (token) => tokens.verifyLinuxSignInToken(token),
            onError: pool.log,
          },
        );
      }
      issuance = workers ?? inline;
    },
    caKeysChanged,
    close: async () => {
      await workers?.close();
    },
  };
}

class ServiceStartingError extends HostpassError {
  readonly code = "ERR_SERVICE_STARTING";
  readonly kind = "unavailable";
}
