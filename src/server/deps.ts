import type { AuditRepository, AuditResult, SignInLogRepository } from "../audit/index.ts";
import type {
  CaKeyRecord,
  CaPurpose,
  CertificateIssuance,
  CertificateRevocationStore,
  HostKrl,
  IssuedCertificate,
  SingleRevocationStore,
} from "../ca/index.ts";
import type { AgentRepository, DirectoryRepository } from "../directory/index.ts";
import type { FederationRepository, IdentityProviderRepository } from "../federation/index.ts";
import type { ConditionalAccessRepository } from "../policy/index.ts";
import type { RbacEngine, RbacRepository } from "../rbac/index.ts";
import type { MachineHost, ResourceRepository } from "../resources/index.ts";
import type { BackgroundErrors } from "../shared/background-errors.ts";
import type { Clock } from "../shared/clock.ts";
import type { ApiPrincipal, TokenTrust } from "./auth/tokens.ts";
import type { HostChannel } from "./host-channel.ts";

/** One activity-log record, as the server hands it to the audit module. */
export interface AuditRecord {
  readonly tenantId: string;
  /** Object id of the caller. */
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly result: AuditResult;
  readonly correlationId: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditSink {
  append(record: AuditRecord): Promise<void>;
}

/** The store's repositories bound to one change's transaction (see `inChange`). */
export interface ChangeRepositories {
  readonly directory: DirectoryRepository;
  readonly resources: ResourceRepository;
  readonly rbac: RbacRepository;
  /** The activity log: the change's event is appended here, before the commit. */
  readonly audit: AuditRepository;
  /**
   * The certificate ledger: ending a principal's sessions revokes its certificates (lib/sessions.ts),
   * and `POST /ssh/revocations` revokes one or a principal's.
   */
  readonly certificates: CertificateRevocationStore & SingleRevocationStore;
  readonly conditionalAccess?: ConditionalAccessRepository;
  /** SCIM tokens and attributes, upstream providers (issue 13); absent in tests that need none. */
  readonly federation?: FederationRepository;
  /** Join codes and host agents' credentials. */
  readonly agents: AgentRepository;
  readonly identityProviders?: IdentityProviderRepository;
  /** CA keys (installation-wide): a rotation step commits with its activity-log event. */
  readonly caKeys?: CaKeyWrites;
}

/** The CA key records as a rotation writes them (the store records `caKeys.changed` with each write). */
export interface CaKeyWrites {
  list(): Promise<readonly CaKeyRecord[]>;
  insert(record: CaKeyRecord): Promise<void>;
  saveStates(records: readonly Pick<CaKeyRecord, "id" | "state" | "stateChangedAt">[]): Promise<void>;
}

/** A certificate in the ledger: what the CA recorded at issuance, and its revocation. */
export interface LedgerEntry extends IssuedCertificate {
  readonly revokedAt?: Date;
  readonly revocationReason?: string;
}

/** The certificate ledger as the `/ssh` administration routes read it. */
export interface CertificateListing {
  get(serial: bigint): Promise<LedgerEntry | undefined>;
  /** Newest first. */
  list(
    query: { tenantId: string; objectId?: string; validAt?: Date; revoked?: boolean },
    page: { limit: number; cursor?: string },
  ): Promise<{ readonly items: readonly LedgerEntry[]; readonly nextCursor?: string }>;
}

/** The SSH certificate authority as the `/ssh` routes use it (wire-certificates.ts). */
export interface SshServices {
  /** Issuance and the public CA keys; answers 503 until the issuer is bound to the token issuer. */
  readonly certificates: CertificateIssuance;
  readonly caKeys: { list(): Promise<readonly CaKeyRecord[]> };
  readonly ledger: CertificateListing;
  /** A new CA key of `purpose` in state `next`, its private key sealed (what `announce` adds). */
  newCaKey(purpose: CaPurpose, now: Date): CaKeyRecord;
  /** The longest a user certificate lives: `retire` waits that long after activation. */
  readonly certificateLifetimeSeconds: number;
  /** After a rotation step committed: issuance reads the CA keys again at once (workers too). */
  caKeysChanged(): void;
}

/** A principal as role assignments name it. */
export interface ResolvedPrincipal {
  readonly id: string;
  readonly type: "User" | "Group" | "ServicePrincipal" | "ManagedIdentity";
}

/**
 * What the routes need from the domain, wired once in `startServer` (or by a test). Routes see
 * only these services, never the store.
 */
export interface DomainServices {
  /** The tenant's RBAC engine (kept in memory and in sync by the rbac module). */
  readonly rbac: (tenantId: string) => Promise<RbacEngine>;
  /** `assignee` as `az role assignment create` takes it: a UPN, an object id or an app id. */
  readonly resolveAssignee: (tenantId: string, assignee: string) => Promise<ResolvedPrincipal>;
  /**
   * A scope as a role assignment may name it: "/" or an existing resource of the tenant, answered
   * in its stored (canonical) spelling; a scope that names nothing fails (404, or 400 when it is
   * not a resource id at all: no case or Unicode folding makes a near-miss match). `within`: the
   * resource repository of a change's transaction, to check again where the change commits.
   */
  readonly resolveScope: (tenantId: string, scope: string, within?: ResourceRepository) => Promise<string>;
  /** Records that change nothing (refusals, failures): after the response, grouped. */
  readonly audit: AuditSink;
  /**
   * Runs `work` in one transaction of `tenantId`: what it writes, the change-log entries the
   * store records for it, and its activity-log event commit together. Routes use it through
   * `inChange` (plugins/audit.ts).
   */
  readonly transaction: <T>(tenantId: string, work: (tx: ChangeRepositories) => Promise<T>) => Promise<T>;
  /** The directory's repository, for the directory routes' domain calls. */
  readonly directory: DirectoryRepository;
  /** The resource tree's repository, for the resource routes' domain calls. */
  readonly resources: ResourceRepository;
  /** The activity log, for queries (writes go through `audit`). */
  readonly auditLog: AuditRepository;
  /**
   * Errors of background work no request waits for (RBAC sync, clean-up after a failed machine
   * change, records written after the response): logged, counted, in `GET /health`.
   */
  readonly backgroundErrors?: BackgroundErrors;
  /** Where the tenant's access decisions take their freshness from (wire-services.ts), for `GET /health`. */
  readonly decisionFreshness?: (tenantId: string) => {
    readonly mode: "notices" | "headRead";
    readonly heardVersion: number;
    readonly listens: number;
  };
  /** One trivial query to the store, for `GET /health` (which gives it a short timeout). */
  readonly pingStore?: () => Promise<void>;
  /**
   * Refuses a token whose principal is gone or disabled and answers it as the directory knows it;
   * absent in tests that need no directory.
   */
  readonly checkPrincipal?: (principal: ApiPrincipal) => Promise<ApiPrincipal>;
  /** The sign-in log, for `GET /auditLogs/signIns`; absent in tests that need none. */
  readonly signInLog?: Pick<SignInLogRepository, "query">;
  /**
   * Where machines run (the local provider of `hostpass server --local-machines`): creating a VM
   * then starts it, deleting removes it. Absent: machines are only registered.
   */
  readonly machineHost?: MachineHost;
  /** Conditional access policies and named locations; their routes exist only when it is given. */
  readonly conditionalAccess?: ConditionalAccessRepository;
  /** Federation's store (SCIM token routes exist only when it is given). */
  readonly federation?: FederationRepository;
  /** Upstream providers (`/directory/identityProviders` exists only when it is given). */
  readonly identityProviders?: IdentityProviderRepository;
  /**
   * The host channel (join codes, agents' streams, reports, the KRL); its routes exist only when
   * it is given (`startServer` wires it).
   */
  readonly hostAgents?: HostAgentServices;
  /** The SSH CA (`/ssh/*` routes); absent in tests that need none. */
  readonly ssh?: SshServices;
  /** The time the API's own limits count by (the activity log's refusal limit); default the system clock. */
  readonly clock?: Clock;
}

/** What the host channel's routes need beyond the domain services. */
export interface HostAgentServices {
  readonly agents: AgentRepository;
  readonly channel: HostChannel;
  /** The current KRL (built after each revocation). */
  readonly krl: () => Promise<HostKrl>;
  /** The URL agents reach the service at, and its TLS fingerprint when self-signed (for `--tls-fingerprint`). */
  readonly endpoint: () => { readonly publicUrl: string; readonly fingerprint?: string };
  /** The sign-in log (login reports). */
  readonly signInLog: Pick<SignInLogRepository, "append">;
  /** The service's clock (join-code expiry, report times). */
  readonly now: () => Date;
}

export interface RouteDeps extends DomainServices {
  /** What API tokens must match (the authorization server's issuer and published keys). */
  readonly trust: () => TokenTrust;
}
