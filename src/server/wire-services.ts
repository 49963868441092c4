import type { AuditRepository } from "../audit/index.ts";
import { createAuditWriter } from "../audit/index.ts";
import { predatesSessions } from "../auth/index.ts";
import type { CertificateRevocationStore, SingleRevocationStore } from "../ca/index.ts";
import {
  type AgentRepository,
  type DirectoryRepository,
  findUserByUpn,
  type Principal,
  PrincipalNotFoundError,
} from "../directory/index.ts";
import type { FederationRepository, IdentityProviderRepository } from "../federation/index.ts";
import type { ConditionalAccessRepository } from "../policy/index.ts";
import { RbacEngine, type RbacRepository } from "../rbac/index.ts";
import { ResourceNotFoundError, type ResourceRepository, requireResource } from "../resources/index.ts";
import { type BackgroundErrors, createBackgroundErrors } from "../shared/background-errors.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { ExpiringCache } from "../shared/expiring-cache.ts";
import type { ApiPrincipal } from "./auth/tokens.ts";
import type { CaKeyWrites, DomainServices, ResolvedPrincipal } from "./deps.ts";
import { UnauthenticatedError } from "./errors.ts";
import { storeDecisionGraph } from "./lib/decision-graph-source.ts";

/** The repositories the store hands out; the domain modules declare them, `store/` implements them. */
export interface TransactionRepositories {
  readonly directory: DirectoryRepository;
  readonly resources: ResourceRepository;
  readonly rbac: RbacRepository;
  readonly audit: AuditRepository;
  readonly changeLog: { lock(tenantId: string): Promise<void> };
  readonly agents: AgentRepository;
  /** The certificate ledger: ending a principal's sessions revokes its certificates (lib/sessions.ts). */
  readonly certificates: CertificateRevocationStore & SingleRevocationStore;
  readonly conditionalAccess?: ConditionalAccessRepository;
  readonly federation?: FederationRepository;
  readonly caKeys: CaKeyWrites;
  readonly identityProviders?: IdentityProviderRepository;
}

export interface Repositories extends TransactionRepositories {
  /** One store transaction; every repository `work` receives writes in it. */
  transaction<T>(work: (tx: TransactionRepositories) => Promise<T>): Promise<T>;
  /** One trivial query (the store's `ping`), for `GET /health`. */
  ping?(): Promise<void>;
  /**
   * Commits of change-log rows by any process (PostgreSQL LISTEN/NOTIFY; this process's own at
   * once after commit) with the last version recorded, and heartbeats (store/postgres/change-notices.ts).
   */
  readonly changeNotices?: {
    subscribe(
      onChange: (tenantId: string, version: number) => void,
      onState?: (listening: boolean) => void,
      onAlive?: () => void,
    ): () => Promise<void>;
  };
}

/** Where access decisions take their freshness from (`GET /health` shows it to administrators). */
export interface DecisionFreshness {
  /**
   * `notices`: the change notices are trusted (listening, a heartbeat heard lately), so a decision
   * reads no store unless a notice told of a version its engine has not applied; `headRead`:
   * every decision reads the tenant's head version first (SQLite, or the listener is down or silent).
   */
  readonly mode: "notices" | "headRead";
  /** The highest version of the tenant's change log this process heard was committed. */
  readonly heardVersion: number;
  /** How many times the change-notice listener started listening (each start is a new epoch). */
  readonly listens: number;
}

export interface WiredServices extends DomainServices {
  readonly checkPrincipal: (principal: ApiPrincipal) => Promise<ApiPrincipal>;
  readonly backgroundErrors: BackgroundErrors;
  /** How the tenant's decisions are kept fresh now. */
  decisionFreshness(tenantId: string): DecisionFreshness;
  /** Stops the RBAC sync timer and writes out pending audit events; call before closing the store. */
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * The fallback: while no change notices arrive (SQLite, or the PostgreSQL listener is down), writes
 * this process did not make through `transaction` (another replica, a direct store call) reach
 * the in-memory views (RBAC, the host channel) within this delay; its own at once. With notices,
 * another replica's commit wakes them at once and this poll stays idle.
 */
const RBAC_SYNC_MS = 250;
/**
 * The change notices are trusted while a heartbeat (one a second, store/postgres/change-notices.ts)
 * was heard within this time: a listener that went silent without its connection failing makes
 * decisions read the head version again after at most this long.
 */
const NOTICE_SILENCE_MS = 3_000;
/**
 * How long the directory's answer about a principal is reused. Disabling or deleting a principal,
 * or revoking its sessions, stops its API calls within this delay (the product's target is 5 s).
 */
const PRINCIPAL_CHECK_MS = 1000;

const RBAC_TYPE = {
  user: "User",
  group: "Group",
  servicePrincipal: "ServicePrincipal",
  managedIdentity: "ManagedIdentity",
} as const;

export interface WireOptions {
  /** Where background errors go (the server's, logged with its logger); default: stderr. */
  readonly backgroundErrors?: BackgroundErrors;
  /** Judges the notices' heartbeat (tests move it); default: the system clock. */
  readonly clock?: Clock;
}

/** Builds the services the routes use from the store's repositories: the composition root's wiring. */
export function wireServices(repos: Repositories, options: WireOptions = {}): WiredServices {
  const backgroundErrors =
    options.backgroundErrors ??
    createBackgroundErrors({
      clock: systemClock,
      log: (source, error) => console.error(`hostpass: background error (${source})`, error),
    });
  // A failed RBAC sync is retried by the next tick or commit; it is logged and counted, not lost.
  const syncFailed = (error: unknown) => backgroundErrors.record("rbacSync", error);
  const clock = options.clock ?? systemClock;
  const engines = new Map<string, Promise<RbacEngine>>();
  // What the change notices told: per tenant the highest version committed; the listener's epoch
  // (one per connection, counted from 1) while it listens, and when its heartbeat was last heard.
  const heard = new Map<string, number>();
  let epoch = 0;
  let listening = false;
  let aliveAt = Number.NEGATIVE_INFINITY;
  const trusted = () => listening && clock() - aliveAt <= NOTICE_SILENCE_MS;
  const noticesOf = (tenantId: string) => () =>
    trusted() ? { epoch, known: heard.get(tenantId) ?? 0 } : undefined;
  const rbac = (tenantId: string): Promise<RbacEngine> => {
    let engine = engines.get(tenantId);
    if (engine === undefined) {
      // Memberships and the management-group tree in memory too, followed from the change log;
      // every decision first applies what the log holds after the engine's version: known from
      // the change notices while they are trusted, else by reading the head version.
      engine = RbacEngine.open({
        repository: repos.rbac,
        tenantId,
        graph: storeDecisionGraph(repos.directory, repos.resources),
        readLatest: true,
        ...(repos.changeNotices ? { notices: noticesOf(tenantId) } : {}),
      });
      engine.catch(() => engines.delete(tenantId)); // a failed open is retried on the next call
      engines.set(tenantId, engine);
    }
    return engine;
  };
  /** Reads the tenant's new change-log entries into its engine (and the views following it). */
  const wake = (tenantId: string) => {
    void engines
      .get(tenantId)
      ?.then((e) => e.sync())
      .catch(syncFailed);
  };
  const wakeAll = () => {
    for (const tenantId of engines.keys()) wake(tenantId);
  };
  // A commit (this process's at once, another replica's by its notice) wakes the tenant's engine,
  // once per version. When the listener (re)connects, notices sent while it was down are lost,
  // so a new epoch starts and everything catches up then.
  const stopNotices = repos.changeNotices?.subscribe(
    (tenantId, version) => {
      if (version <= (heard.get(tenantId) ?? 0)) return;
      heard.set(tenantId, version);
      wake(tenantId);
    },
    (up) => {
      listening = up;
      if (!up) return;
      epoch++;
      aliveAt = clock();
      wakeAll();
    },
    () => {
      aliveAt = clock();
    },
  );
  const timer = setInterval(() => {
    if (!listening) wakeAll();
  }, RBAC_SYNC_MS);
  timer.unref();
  const audit = createAuditWriter(repos.audit);
  return {
    rbac,
    backgroundErrors,
    directory: repos.directory,
    resources: repos.resources,
    auditLog: repos.audit,
    ...(repos.federation ? { federation: repos.federation } : {}),
    ...(repos.identityProviders ? { identityProviders: repos.identityProviders } : {}),
    resolveAssignee: (tenantId, assignee) => resolveAssignee(repos.directory, tenantId, assignee),
    resolveScope: (tenantId, scope, within) => resolveScope(within ?? repos.resources, tenantId, scope),
    // Locks in one order for every change (tenant row, then its change-log head, then the audit
    // head at the end), so two changes can wait on each other only in that order: no deadlock.
    transaction: async (tenantId, work) => {
      const value = await repos.transaction(async (tx) => {
        await tx.directory.lockTenant(tenantId);
        await tx.changeLog.lock(tenantId);
        return work(tx);
      });
      // Wake on commit: the engine (and the host channel following it) reads the change now
      // (with notices, the store told them already).
      if (repos.changeNotices === undefined) wake(tenantId);
      return value;
    },
    checkPrincipal: cachedCheck(repos.directory),
    decisionFreshness: (tenantId) => ({
      mode: repos.changeNotices !== undefined && trusted() ? "notices" : "headRead",
      heardVersion: heard.get(tenantId) ?? 0,
      listens: epoch,
    }),
    ...(repos.ping ? { pingStore: () => (repos.ping as () => Promise<void>)() } : {}),
    // Concurrent changes share one audit transaction (one head lock and commit per group).
    audit: {
      append: async (record) => {
        await audit.append(record);
      },
    },
    close: async () => {
      clearInterval(timer);
      await stopNotices?.();
      await audit.flush();
    },
  };
}

/**
 * A role assignment's scope: "/" or a resource that exists in the tenant, in the spelling the tree
 * stores. The id is parsed by the resources module's strict rule (ASCII names, keywords in any
 * ASCII case), so `/subscriptions/S/resourcegroups/RG` finds `.../resourceGroups/rg` and is stored
 * as that, while a Kelvin sign (U+212A) is never taken for `k`: it is not an id character at all.
 */
export async function resolveScope(
  resources: ResourceRepository,
  tenantId: string,
  scope: string,
): Promise<string> {
  if (scope === "/") return scope;
  const resource = await requireResource(resources, scope);
  if (resource.tenantId !== tenantId) throw new ResourceNotFoundError(`${scope} was not found`);
  return resource.id;
}

/** `--assignee` as az takes it: a UPN, an object id, or a service principal's app id. */
export async function resolveAssignee(
  directory: DirectoryRepository,
  tenantId: string,
  assignee: string,
): Promise<ResolvedPrincipal> {
  let found: Principal | undefined;
  if (assignee.includes("@")) {
    found = await findUserByUpn(directory, tenantId, assignee);
  } else if (UUID.test(assignee)) {
    found = await directory.getPrincipal(tenantId, assignee.toLowerCase());
    if (found === undefined) {
      const sp = await directory.findServicePrincipalByAppId(assignee.toLowerCase());
      found = sp?.tenantId === tenantId ? sp : undefined;
    }
  }
  if (found === undefined)
    throw new PrincipalNotFoundError(`no user, group or service principal '${assignee}'`);
  return { id: found.id, type: RBAC_TYPE[found.kind] };
}

function cachedCheck(directory: DirectoryRepository): (principal: ApiPrincipal) => Promise<ApiPrincipal> {
  // The directory's answer is reused, not the verdict: each token is judged against it (its own
  // issue time against the principal's sessions-valid-from time).
  const known = new ExpiringCache<string, { found: Principal | undefined }>({
    max: 10_000,
    ttlMs: PRINCIPAL_CHECK_MS,
    clock: systemClock,
  });
  return async (principal) => {
    const key = `${principal.tenantId} ${principal.objectId}`;
    let entry = known.get(key);
    if (entry === undefined) {
      entry = { found: await directory.getPrincipal(principal.tenantId, principal.objectId) };
      known.set(key, entry);
    }
    return checkPrincipal(entry.found, principal);
  };
}

/**
 * A token outlives changes: a principal deleted or disabled since it was issued, or whose sessions
 * were revoked after it was issued, is refused. The token says only "user" or "app"; the
 * directory says which kind of app (RBAC names it).
 */
function checkPrincipal(found: Principal | undefined, principal: ApiPrincipal): ApiPrincipal {
  if (found === undefined || !found.enabled || found.kind === "group") throw new UnauthenticatedError();
  if ((found.kind === "user") !== (principal.type === "user")) throw new UnauthenticatedError();
  if (predatesSessions(principal.issuedAt, found.sessionsValidFrom?.getTime()))
    throw new UnauthenticatedError();
  return found.kind === principal.type ? principal : Object.freeze({ ...principal, type: found.kind });
}
