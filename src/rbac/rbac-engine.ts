/**
 * The RBAC engine of one tenant: an in-memory index of every role definition and assignment,
 * kept current through the repository's change feed, and `check`, which walks the resource's
 * ancestor scopes (resource -> parent resource -> resource group -> subscription -> management
 * groups -> "/") and, at each, looks up the principal and each of its groups.
 *
 * Writes go through the engine's use cases and sync before returning, so a deleted assignment
 * stops granting on this process at once. Other replicas call `sync()` when the store announces a
 * change (or on a short timer).
 *
 * The engine reads the tenant's whole change log (every kind, shared/change-log.ts) and applies
 * its own kinds; `follow()` lets other in-memory views of the same tenant (the host-login index)
 * see every entry in the same order, from the same pull, so they are never at another version.
 */
import type { LoggedChange } from "../shared/change-log.ts";
import { BUILT_IN_ROLES, DATA_ACTIONS } from "./built-in-roles.ts";
import { AuthorizationFailedError, RbacStoreError } from "./errors.ts";
import { AssignmentIndex } from "./lib/assignment-index.ts";
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

export interface RbacEngineOptions {
  readonly repository: RbacRepository;
  readonly tenantId: string;
  readonly groups: GroupClosure;
  readonly ancestry: ScopeAncestry;
  /**
   * When set, `check` first syncs if the last sync is older than this (0: before every check),
   * which bounds how stale another replica's writes can be without a notification channel.
   * Unset: the owner calls `sync()` (on a store notification or a timer). This process's own
   * writes are always visible at once.
   */
  readonly maxStalenessMs?: number;
}

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

const DATA_ACTION_SET: ReadonlySet<string> = new Set(DATA_ACTIONS.map(normalizeOperation));
const CHANGE_PAGE = 1000;

export class RbacEngine {
  readonly tenantId: string;
  readonly repository: RbacRepository;
  readonly #options: RbacEngineOptions;
  #index = new AssignmentIndex();
  readonly #roles = new Map<string, CompiledRole>();
  #version = 0;
  #syncedAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<void> = Promise.resolve();
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

  /** Applies every change the store recorded since the last sync. Calls are serialised. */
  sync(): Promise<void> {
    // A failed pull (store down) must not poison the chain: the next call tries again.
    const pull = () => this.#pull();
    this.#syncing = this.#syncing.then(pull, pull);
    return this.#syncing;
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
    for (const [id, r] of this.#roles) if (!r.definition.builtIn) this.#roles.delete(id);
    for (const d of snap.definitions) if (!d.builtIn) this.#putRole(d);
    this.#index = index;
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
    const keys = [...parsed.chain];
    if (parsed.top !== undefined) {
      // Tolerant of the provider's order and of it listing the scope itself or "/": no duplicates.
      for (const mg of await this.#options.ancestry(this.tenantId, parsed.top)) {
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

  /** The principal's transitive groups, from the injected closure. */
  async groupsOf(principalId: string): Promise<Iterable<string>> {
    return this.#options.groups(this.tenantId, principalId);
  }

  /** May `principal` perform `operation` (an action or a data action) on `resourceId`? */
  async check(principal: Principal, operation: string, resourceId: string): Promise<CheckResult> {
    const parsed = parseScope(resourceId);
    const staleness = this.#options.maxStalenessMs;
    if (staleness !== undefined && performance.now() - this.#syncedAt >= staleness) await this.sync();
    const [groups, keys] = await Promise.all([
      this.#options.groups(this.tenantId, principal.id),
      this.ancestorKeys(parsed),
    ]);
    return this.evaluate(principal.id, groups, operation, keys, resourceId);
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
