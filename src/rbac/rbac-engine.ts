/**
 * The RBAC engine of one tenant: an in-memory index of every role definition and assignment,
 * kept current through the repository's change feed, and `check`, which walks the resource's
 * ancestor scopes (resource -> parent resource -> resource group -> subscription -> management
 * groups -> "/") and, at each, looks up the principal and each of its groups.
 *
 * With a `graph` source the group memberships and the management-group tree are in memory too
 * (lib/decision-graph.ts), followed from the same log, so a decision reads no store at all
 * beyond the freshness check. Without one, the injected `groups` and `ancestry` answer (one
 * store query each per check in the old wiring; the equivalence test compares the two).
 *
 * Writes go through the engine's use cases and sync before returning, so a deleted assignment
 * stops granting on this process at once. With `readLatest`, every decision first makes sure the
 * engine holds what was committed: from `notices` (the versions the wiring heard committed, while
 * they can be trusted) with no store read, else by reading the tenant's head version (one
 * primary-key read, shared by the decisions that arrive while it waits to start); when behind, it
 * pulls the log and applies it. Without it, other replicas' writes arrive on `sync()` (a store
 * notification or a short timer).
 *
 * The engine reads the tenant's whole change log (every kind, shared/change-log.ts) and applies
 * its own kinds; `follow()` lets other in-memory views of the same tenant (the host-login index)
 * see every entry in the same order, from the same pull, so they are never at another version.
 */
import type { LoggedChange } from "../shared/change-log.ts";
import { BUILT_IN_ROLES, DATA_ACTIONS } from "./built-in-roles.ts";
import { AuthorizationFailedError, RbacStoreError } from "./errors.ts";
import { AssignmentIndex } from "./lib/assignment-index.ts";
import { DecisionGraph, type DecisionGraphSource } from "./lib/decision-graph.ts";
import { normalizeOperation, PermissionMatcher } from "./lib/permission-matcher.ts";
import {
  isRbacChange,
  type PrincipalType,
  type RbacChange,
  type RbacRepository,
  type RoleAssignment,
  type RoleDefinition,
} from "./repository.ts";
import { type ParsedScope, parseScope, ROOT_SCOPE, scopeKey } from "./scope.ts";

export interface Principal {
  readonly id: string;
  readonly type: PrincipalType;
}

/** Every group `principalId` belongs to, directly or through nesting (the directory provides it). */
export type GroupClosure = (
  tenantId: string,
  principalId: string,
) => Iterable<string> | Promise<Iterable<string>>;

/**
 * The management-group scopes above `scope` (a subscription or management-group scope), nearest
 * first, without "/" (the resource tree provides it).
 */
export type ScopeAncestry = (
  tenantId: string,
  scope: string,
) => readonly string[] | Promise<readonly string[]>;

interface RbacEngineCommonOptions {
  readonly repository: RbacRepository;
  readonly tenantId: string;
  /**
   * Before every decision (`check`, `checkMany`, `checkLogin`, `authorize`), apply whatever the
   * change log holds after the engine's version: read-your-writes across processes.
   */
  readonly readLatest?: boolean;
  /**
   * With `readLatest`: what change notices told (wire-services.ts), so a decision can skip the
   * head read. Answers `undefined` while notices cannot be trusted (no listener, reconnecting, no
   * heartbeat heard lately); else the listener's `epoch` (one per connection: notices are complete
   * from when it started listening) and the highest version `known` committed for this tenant
   * (this process's commits at once, others' as their notices arrive). A decision is answered
   * from memory when the engine's last read started within the same epoch and it is at `known`
   * already; it pulls first when behind `known`; it reads the head version otherwise.
   */
  readonly notices?: () => { readonly epoch: number; readonly known: number } | undefined;
  /**
   * When set, `check` first syncs if the last sync is older than this (0: before every check),
   * which bounds how stale another replica's writes can be without a notification channel.
   * Unset: the owner calls `sync()` (on a store notification or a timer). This process's own
   * writes are always visible at once.
   */
  readonly maxStalenessMs?: number;
}

/** Memberships and the management-group tree: in memory from a snapshot and the log, or asked per check. */
export type RbacEngineOptions = RbacEngineCommonOptions &
  (
    | { readonly graph: DecisionGraphSource }
    | { readonly groups: GroupClosure; readonly ancestry: ScopeAncestry; readonly graph?: undefined }
  );

export interface Grant {
  readonly assignmentId: string;
  readonly roleDefinitionId: string;
  readonly roleName: string;
  /** The assignment's scope as written when it was created. */
  readonly scope: string;
  /** The principal the assignment names: the caller itself or one of its groups. */
  readonly principalId: string;
  /** Set when the grant came through a group. */
  readonly via?: string;
}

export interface CheckResult {
  readonly allowed: boolean;
  readonly grantedBy?: Grant;
  readonly reason: string;
}

/** An in-memory view that follows the tenant's change log together with the engine. */
export interface ChangeFollower {
  /** Rebuild from the store: the engine (re)loaded its snapshot at `version`; later entries follow. */
  reset(version: number): Promise<void>;
  /**
   * One entry, in version order (the engine has applied it to roles and assignments already).
   * `removed`: for `assignment.deleted`, the assignment as it was (its scope is no longer known).
   */
  apply(change: LoggedChange, removed?: RoleAssignment): void;
  /** A sync finished: everything up to `version` is applied. */
  settled(version: number): void;
}

interface CompiledRole {
  readonly definition: RoleDefinition;
  readonly matcher: PermissionMatcher;
}

const EMPTY: readonly string[] = Object.freeze([]);
const DATA_ACTION_SET: ReadonlySet<string> = new Set(DATA_ACTIONS.map(normalizeOperation));
const CHANGE_PAGE = 1000;

export class RbacEngine {
  readonly tenantId: string;
  readonly repository: RbacRepository;
  readonly #options: RbacEngineOptions;
  #index = new AssignmentIndex();
  readonly #roles = new Map<string, CompiledRole>();
  #graph: DecisionGraph | undefined;
  #version = 0;
  #syncedAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<void> = Promise.resolve();
  /**
   * A catch-up queued and not yet started: one asked for now may share it. `full`: pull the log
   * (a sync); otherwise read the head version first and pull only when it is ahead (a decision).
   */
  #queued: { promise: Promise<void>; full: boolean } | undefined;
  /** The notices' epoch in which the last completed read of the store started (see `notices`). */
  #readEpoch: number | undefined;
  /** The catch-up running now, and the version the notices knew when it started (it reads past it). */
  #running: { readonly promise: Promise<void>; readonly known: number } | undefined;
  readonly #followers: ChangeFollower[] = [];

  private constructor(options: RbacEngineOptions) {
    this.#options = options;
    this.tenantId = options.tenantId;
    this.repository = options.repository;
    for (const d of BUILT_IN_ROLES) this.#putRole(d);
  }

  /** Loads the tenant's snapshot into memory, then catches up with the change feed. */
  static async open(options: RbacEngineOptions): Promise<RbacEngine> {
    const engine = new RbacEngine(options);
    await engine.#load();
    await engine.sync();
    return engine;
  }

  get version(): number {
    return this.#version;
  }

  get assignmentCount(): number {
    return this.#index.size;
  }

  /**
   * Adds a follower: it resets at the engine's current version, then sees every later entry.
   * Serialised with syncs, so no entry falls between its snapshot and its first `apply`.
   */
  follow(follower: ChangeFollower): Promise<void> {
    const add = async () => {
      await follower.reset(this.#version);
      this.#followers.push(follower);
    };
    this.#syncing = this.#syncing.then(add, add);
    return this.#syncing;
  }

  /**
   * Applies every change the store committed before this call. Calls are serialised; calls that
   * arrive while a pull is queued and not yet started share it (it reads the log after all of
   * them arrived), so many concurrent decisions cost one query.
   */
  sync(): Promise<void> {
    return this.#catchUp(true);
  }

  #catchUp(full: boolean): Promise<void> {
    const queued = this.#queued;
    if (queued !== undefined) {
      queued.full ||= full;
      return queued.promise;
    }
    const entry = { promise: Promise.resolve(), full };
    // A failed read (store down) must not poison the chain: the next call tries again.
    const run = async () => {
      this.#queued = undefined;
      // Everything committed before this read is in it; what commits later is notified in this epoch.
      const notices = this.#options.notices?.();
      const running = { promise: entry.promise, known: notices?.known ?? Number.NEGATIVE_INFINITY };
      this.#running = running;
      try {
        if (!entry.full) {
          // Nothing committed since the last pull: no log read, and nothing for the followers.
          if ((await this.repository.headVersion(this.tenantId)) <= this.#version) {
            this.#syncedAt = performance.now();
            this.#readEpoch = notices?.epoch;
            return;
          }
        }
        await this.#pull();
        this.#readEpoch = notices?.epoch;
      } finally {
        if (this.#running === running) this.#running = undefined;
      }
    };
    entry.promise = this.#syncing.then(run, run);
    this.#syncing = entry.promise;
    this.#queued = entry;
    return entry.promise;
  }

  /** What a decision waits for: the latest committed changes with `readLatest`, else the staleness bound. */
  #fresh(): Promise<void> | undefined {
    if (this.#options.readLatest) {
      const notices = this.#options.notices?.();
      // Notices complete since before the last read: memory is current unless one told of more.
      if (notices !== undefined && notices.epoch === this.#readEpoch) {
        if (notices.known <= this.#version) return undefined;
        // A catch-up that started once this version was known reads it (the wake after a commit).
        const running = this.#running;
        if (running !== undefined && running.known >= notices.known) return running.promise;
        return this.#catchUp(true);
      }
      return this.#catchUp(false);
    }
    const staleness = this.#options.maxStalenessMs;
    if (staleness !== undefined && performance.now() - this.#syncedAt >= staleness) return this.sync();
    return undefined;
  }

  async #pull(): Promise<void> {
    let reloaded = false;
    for (;;) {
      const changes = await this.repository.changesSince(this.tenantId, this.#version, CHANGE_PAGE);
      const first = changes[0];
      if (first !== undefined && first.version > this.#version + 1) {
        // The store pruned changes we never saw: start over from a fresh snapshot, once.
        if (reloaded) throw new RbacStoreError("the RBAC change feed has a gap after a fresh snapshot");
        await this.#load();
        reloaded = true;
        continue;
      }
      for (const c of changes) {
        if (c.version <= this.#version) continue;
        let removed: RoleAssignment | undefined;
        if (isRbacChange(c)) {
          if (c.kind === "assignment.deleted") removed = this.#index.get(c.id);
          this.#apply(c);
        } else {
          this.#graph?.apply(c);
        }
        this.#version = c.version;
        for (const f of this.#followers) f.apply(c, removed);
      }
      if (changes.length < CHANGE_PAGE) {
        this.#syncedAt = performance.now();
        for (const f of this.#followers) f.settled(this.#version);
        return;
      }
    }
  }

  /** Replaces the whole index with the store's current snapshot. */
  async #load(): Promise<void> {
    const snap = await this.repository.snapshot(this.tenantId);
    const index = await AssignmentIndex.load(snap.assignments);
    // Read after the snapshot's version: entries after it are applied again, which converges.
    const source = this.#options.graph;
    const graph = source === undefined ? undefined : await DecisionGraph.load(source, this.tenantId);
    for (const [id, r] of this.#roles) if (!r.definition.builtIn) this.#roles.delete(id);
    for (const d of snap.definitions) if (!d.builtIn) this.#putRole(d);
    this.#index = index;
    this.#graph = graph;
    this.#version = snap.version;
    for (const f of this.#followers) await f.reset(snap.version);
  }

  #apply(c: RbacChange): void {
    if (c.kind === "assignment.created") this.#index.add(c.assignment);
    else if (c.kind === "assignment.deleted") this.#index.remove(c.id);
    else if (c.kind === "definition.put") this.#putRole(c.definition);
    else if (!this.#roles.get(c.id)?.definition.builtIn) this.#roles.delete(c.id);
  }

  #putRole(d: RoleDefinition): void {
    if (!d.builtIn && this.#roles.get(d.id)?.definition.builtIn) return; // built-ins cannot be replaced
    this.#roles.set(d.id, { definition: d, matcher: new PermissionMatcher(d.permissions) });
  }

  role(id: string): RoleDefinition | undefined {
    return this.#roles.get(id)?.definition;
  }

  roleDefinitions(): RoleDefinition[] {
    return [...this.#roles.values()].map((r) => r.definition).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** By id, by a `.../roleDefinitions/<id>` path, or by name (case-insensitive), as `--role` takes. */
  resolveRole(nameOrId: string): RoleDefinition | undefined {
    const tail = nameOrId.slice(nameOrId.lastIndexOf("/") + 1).toLowerCase();
    const byId = this.#roles.get(tail);
    if (byId !== undefined) return byId.definition;
    const name = nameOrId.trim().toLowerCase();
    for (const r of this.#roles.values()) if (r.definition.name.toLowerCase() === name) return r.definition;
    return undefined;
  }

  /** Whether the role grants the data action (a role that no longer exists grants nothing). */
  roleGrantsDataAction(roleDefinitionId: string, dataAction: string): boolean {
    return this.#roles.get(roleDefinitionId)?.matcher.grants(normalizeOperation(dataAction), true) ?? false;
  }

  assignment(id: string): RoleAssignment | undefined {
    return this.#index.get(id);
  }

  /** @internal for lib/writes.ts */
  get index(): AssignmentIndex {
    return this.#index;
  }

  /** Keys of `scope`, its ancestors and its management groups, most specific first, ending with "/". */
  async ancestorKeys(parsed: ParsedScope): Promise<string[]> {
    const options = this.#options;
    if (options.graph !== undefined || parsed.top === undefined) return this.#keysWith(parsed, EMPTY);
    return this.#keysWith(parsed, await options.ancestry(this.tenantId, parsed.top));
  }

  /**
   * The keys from the parsed chain plus `managementGroups` (the injected ancestry's answer), or,
   * with a graph, the management groups it holds above the chain's top.
   */
  #keysWith(parsed: ParsedScope, managementGroups: readonly string[]): string[] {
    const keys = [...parsed.chain];
    const graph = this.#graph;
    if (graph !== undefined) {
      // The chain's last key is the subscription or management group itself; the graph answers keys.
      const top = parsed.chain[parsed.chain.length - 1];
      if (top !== undefined) for (const key of graph.managementGroupKeysAbove(top)) keys.push(key);
    } else {
      // Tolerant of the provider's order and of it listing the scope itself or "/": no duplicates.
      for (const mg of managementGroups) {
        const key = scopeKey(mg);
        if (key !== ROOT_SCOPE && !keys.includes(key)) keys.push(key);
      }
    }
    keys.push(ROOT_SCOPE); // the chain never holds "/" itself
    return keys;
  }

  /**
   * The assignments at `scope` and at every scope above it, nearest scope first (oldest first
   * within one): what an access-control page lists, inherited ones included.
   */
  async assignmentsAtOrAbove(scope: string): Promise<RoleAssignment[]> {
    const out: RoleAssignment[] = [];
    for (const key of await this.ancestorKeys(parseScope(scope))) {
      const bucket = this.#index.at(key);
      if (bucket === undefined) continue;
      const here = [...bucket.values()].flat();
      here.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      out.push(...here);
    }
    return out;
  }

  /**
   * The assignments at `scope` and at every scope below it (az's `role assignment list --all`),
   * ordered by scope, then oldest first. Below a management group: its subscriptions and child
   * groups (from the ancestry), and everything in them.
   */
  async assignmentsAtOrBelow(scope: string): Promise<RoleAssignment[]> {
    const parsed = parseScope(scope);
    const key = parsed.key;
    const out: [string, RoleAssignment[]][] = [];
    for (const [at, bucket] of this.#index.scopes()) {
      const here = [...bucket.values()].flat();
      const first = here[0];
      if (first === undefined) continue;
      let below = key === ROOT_SCOPE || at === key || at.startsWith(`${key}/`);
      // A management group's descendants are not below it by id: ask the ancestry.
      if (!below && parsed.level === "managementGroup")
        below = (await this.ancestorKeys(parseScope(first.scope))).includes(key);
      if (!below) continue;
      here.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
      out.push([at, here]);
    }
    out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return out.flatMap(([, here]) => here);
  }

  /** The principal's transitive groups: from memory with a graph, else from the injected closure. */
  async groupsOf(principalId: string): Promise<Iterable<string>> {
    return this.#groups(principalId);
  }

  #groups(principalId: string): Iterable<string> | Promise<Iterable<string>> {
    const options = this.#options;
    if (options.graph !== undefined) return this.#graph?.groupsOf(principalId) ?? EMPTY;
    return options.groups(this.tenantId, principalId);
  }

  /** The direct members of a group, from memory; undefined when the engine has no graph. */
  membersOf(groupId: string): readonly string[] | undefined {
    return this.#graph?.membersOf(groupId);
  }

  /**
   * Catches up as a decision does (`readLatest`, `maxStalenessMs`); for callers that then use the
   * synchronous `evaluate` over many items.
   */
  async fresh(): Promise<void> {
    await this.#fresh();
  }

  /** May `principal` perform `operation` (an action or a data action) on `resourceId`? */
  async check(principal: Principal, operation: string, resourceId: string): Promise<CheckResult> {
    const parsed = parseScope(resourceId);
    const waiting = this.#fresh();
    if (waiting !== undefined) await waiting;
    if (this.#graph !== undefined) {
      return this.evaluate(
        principal.id,
        this.#graph.groupsOf(principal.id),
        operation,
        this.#keysWith(parsed, EMPTY),
        resourceId,
      );
    }
    const [groups, keys] = await Promise.all([this.#groups(principal.id), this.ancestorKeys(parsed)]);
    return this.evaluate(principal.id, groups, operation, keys, resourceId);
  }

  /**
   * `check` for many resources at once (a listing): one catch-up and one group closure, then a
   * map walk per resource. Answers in the order of `resourceIds`.
   */
  async checkMany(
    principal: Principal,
    operation: string,
    resourceIds: readonly string[],
  ): Promise<CheckResult[]> {
    const parsed = resourceIds.map(parseScope);
    await this.#fresh();
    const groups = [...(await this.#groups(principal.id))];
    const out: CheckResult[] = [];
    for (const [i, p] of parsed.entries()) {
      const keys = await this.ancestorKeys(p);
      out.push(this.evaluate(principal.id, groups, operation, keys, resourceIds[i] as string));
    }
    return out;
  }

  /**
   * The scopes of every assignment held by any of `principalIds` (as written): what a listing
   * needs to show a container to someone whose only role is inside it.
   */
  scopesAssignedTo(principalIds: Iterable<string>): string[] {
    const out: string[] = [];
    for (const id of principalIds) for (const a of this.#index.ofPrincipal(id)) out.push(a.scope);
    return out;
  }

  /**
   * The synchronous core of `check`, for callers that already hold the group closure and the
   * ancestor keys (`ancestorKeys`), e.g. the CA asking for loginAsAdmin then login.
   */
  evaluate(
    principalId: string,
    groups: Iterable<string>,
    operation: string,
    ancestorKeys: readonly string[],
    resourceId: string,
  ): CheckResult {
    const op = normalizeOperation(operation);
    const isData = DATA_ACTION_SET.has(op);
    const principals = [principalId, ...groups];
    for (const key of ancestorKeys) {
      const bucket = this.#index.at(key);
      if (bucket === undefined) continue;
      for (let i = 0; i < principals.length; i++) {
        const list = bucket.get(principals[i] as string);
        if (list === undefined) continue;
        for (const a of list) {
          const role = this.#roles.get(a.roleDefinitionId);
          if (role === undefined || !role.matcher.grants(op, isData)) continue;
          const via = i === 0 ? undefined : a.principalId;
          const grantedBy: Grant = {
            assignmentId: a.id,
            roleDefinitionId: role.definition.id,
            roleName: role.definition.name,
            scope: a.scope,
            principalId: a.principalId,
            ...(via === undefined ? {} : { via }),
          };
          const who = via === undefined ? "the principal" : `group '${via}'`;
          const reason = `role '${role.definition.name}' assigned to ${who} at scope '${a.scope}' (assignment '${a.id}') grants '${operation}'`;
          return { allowed: true, grantedBy, reason };
        }
      }
    }
    const kind = isData ? "data action" : "action";
    return {
      allowed: false,
      reason: `no role assignment grants ${kind} '${operation}' on '${resourceId}' to the principal or any of its ${principals.length - 1} groups`,
    };
  }

  /** `check` for management calls: throws `AuthorizationFailedError` (kind `forbidden`) when denied. */
  async authorize(principal: Principal, action: string, scope: string): Promise<CheckResult> {
    const result = await this.check(principal, action, scope);
    if (!result.allowed) throw new AuthorizationFailedError(principal.id, action, scope);
    return result;
  }
}
