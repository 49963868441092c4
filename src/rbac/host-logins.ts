/**
 * "Who may log in to machine X, and at what level" (issue 7 item 2): from the login data actions
 * through any assignment at the machine's scope or above it (its scale set for an instance, its
 * resource group, subscription, management groups, "/"), directly or through nested groups.
 *
 * `HostLoginIndex` keeps the answer for the machines whose agents are connected, and follows the
 * tenant's change log together with the RBAC engine (`RbacEngine.follow`): each entry marks what
 * it can affect (an assignment: its principal, or a group's members, on the machines below its
 * scope; a principal or membership: that principal on every machine; a role definition or a move
 * in the tree: everything), and only that is computed again when the engine's pull settles. The uids and Linux names come from the
 * directory, which allocates them (never reused); this module only reads them.
 */
import { isDirectoryChange } from "../directory/changes.ts";
import { isResourceChange } from "../resources/changes.ts";
import type { LoggedChange } from "../shared/change-log.ts";
import type { HostLogin } from "../shared/host-protocol.ts";
import { checkLogin } from "./check-login.ts";
import { loginDataAction } from "./login-action.ts";
import type { ChangeFollower, RbacEngine } from "./rbac-engine.ts";
import { isRbacChange, type PrincipalType, type RoleAssignment } from "./repository.ts";
import { parseScope, scopeKey } from "./scope.ts";

/** A directory principal as far as host logins care. */
export interface LoginCandidate {
  readonly id: string;
  readonly kind: "user" | "group" | "servicePrincipal" | "managedIdentity";
  readonly displayName: string;
  readonly enabled: boolean;
  readonly linuxName?: string;
  readonly uid?: number;
}

/** What the computation reads from the directory (the server adapts the repository). */
export interface HostLoginDirectory {
  /** The principals of these ids that exist (any order). */
  principals(ids: readonly string[]): Promise<readonly LoginCandidate[]>;
  /** The direct members of a group (ids). */
  members(groupId: string): Promise<readonly string[]>;
}

/** Machines checked again between two turns of the event loop (see `#process`). */
const MACHINES_PER_TURN = 2000;

/** Resolves after the event loop's next turn (every queued microtask and pending I/O first). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const RBAC_TYPE: Readonly<Record<"user" | "servicePrincipal", PrincipalType>> = {
  user: "User",
  servicePrincipal: "ServicePrincipal",
};

/** A principal that can hold a POSIX account on a host. */
function isAccount(p: LoginCandidate): p is LoginCandidate & { kind: "user" | "servicePrincipal" } {
  return (
    (p.kind === "user" || p.kind === "servicePrincipal") && p.linuxName !== undefined && p.uid !== undefined
  );
}

/** The principals (users, service principals, groups) some login-granting assignment above `machineId` names. */
export async function loginGrantees(engine: RbacEngine, machineId: string): Promise<Set<string>> {
  const actions = [loginDataAction(machineId, false), loginDataAction(machineId, true)];
  const named = new Set<string>();
  for (const key of await engine.ancestorKeys(parseScope(machineId))) {
    const bucket = engine.index.at(key);
    if (bucket === undefined) continue;
    for (const [principalId, list] of bucket) {
      if (list.some((a) => actions.some((op) => engine.roleGrantsDataAction(a.roleDefinitionId, op))))
        named.add(principalId);
    }
  }
  return named;
}

function loginEntry(principal: LoginCandidate, admin: boolean): HostLogin {
  return {
    objectId: principal.id,
    kind: principal.kind as HostLogin["kind"],
    linuxName: principal.linuxName as string,
    uid: principal.uid as number,
    level: admin ? "admin" : "user",
    displayName: principal.displayName,
  };
}

/** The login of one principal on one machine, or undefined when it may not log in there. */
export async function hostLoginOf(
  engine: RbacEngine,
  principal: LoginCandidate,
  machineId: string,
): Promise<HostLogin | undefined> {
  if (!isAccount(principal) || !principal.enabled) return undefined;
  const decision = await checkLogin(engine, { id: principal.id, type: RBAC_TYPE[principal.kind] }, machineId);
  return decision.allowed ? loginEntry(principal, decision.admin) : undefined;
}

/**
 * Why the service would not let `principal` log in to `machineId` (what a host's refusal of a
 * known principal means: sshd only says "unknown user" for an account the host dropped), or
 * undefined when the service would let it in (the refusal is then the host's own).
 */
export async function hostLoginRefusal(
  engine: RbacEngine,
  principal: LoginCandidate,
  machineId: string,
): Promise<string | undefined> {
  if (!isAccount(principal)) return "not an account that logs in to machines";
  if (!principal.enabled) return "account disabled";
  const decision = await checkLogin(engine, { id: principal.id, type: RBAC_TYPE[principal.kind] }, machineId);
  if (decision.allowed) return undefined;
  return "no login role on this machine: neither Virtual Machine User Login nor Virtual Machine Administrator Login is assigned at it or above (removed, or never assigned)";
}

/**
 * `hostLoginOf` with the principal's groups and the machine's ancestor keys already known: no
 * I/O, so one changed principal is checked against every watched machine at map-lookup cost.
 */
function hostLoginWith(
  engine: RbacEngine,
  principal: LoginCandidate,
  groups: readonly string[],
  machine: LoginTarget,
): HostLogin | undefined {
  if (!isAccount(principal) || !principal.enabled) return undefined;
  if (engine.evaluate(principal.id, groups, machine.adminAction, machine.keys, machine.machineId).allowed)
    return loginEntry(principal, true);
  if (engine.evaluate(principal.id, groups, machine.userAction, machine.keys, machine.machineId).allowed)
    return loginEntry(principal, false);
  return undefined;
}

/** A machine as the checks read it: its ancestor keys and its two login data actions, worked out once. */
interface LoginTarget {
  readonly machineId: string;
  readonly keys: readonly string[];
  readonly adminAction: string;
  readonly userAction: string;
}

const loginActions = (machineId: string) => ({
  adminAction: loginDataAction(machineId, true),
  userAction: loginDataAction(machineId, false),
});

/** Every principal that may log in to `machineId`, by object id. */
export async function computeHostLogins(
  engine: RbacEngine,
  directory: HostLoginDirectory,
  machineId: string,
  groupsOf: (principalId: string) => Promise<readonly string[]> = async (id) => [
    ...(await engine.groupsOf(id)),
  ],
): Promise<Map<string, HostLogin>> {
  // Groups expanded to their transitive members (a visited set: a cyclic graph terminates).
  const seen = new Set<string>();
  const accounts: LoginCandidate[] = [];
  let frontier = [...(await loginGrantees(engine, machineId))];
  while (frontier.length > 0) {
    const fresh = frontier.filter((id) => !seen.has(id));
    for (const id of fresh) seen.add(id);
    const found = await directory.principals(fresh);
    frontier = [];
    for (const p of found) {
      if (p.kind === "group") frontier.push(...(await directory.members(p.id)));
      else if (isAccount(p)) accounts.push(p);
    }
  }
  const machine: LoginTarget = {
    machineId,
    keys: await engine.ancestorKeys(parseScope(machineId)),
    ...loginActions(machineId),
  };
  const out = new Map<string, HostLogin>();
  for (const p of accounts) {
    if (!p.enabled) continue;
    const login = hostLoginWith(engine, p, await groupsOf(p.id), machine);
    if (login) out.set(p.id, login);
  }
  return out;
}

/**
 * The directory and group closures as the index reads them: each principal, member list and group
 * closure is read once and kept until a change in the log can alter it (a principal changed or
 * deleted, a membership added or removed), since many machines share their grantees (a role at a
 * subscription). Forgetting replaces the maps, so a read still in flight never lands in a fresh one.
 */
class CachedReads {
  readonly #engine: RbacEngine;
  readonly #source: HostLoginDirectory;
  #principals = new Map<string, Promise<LoginCandidate | undefined>>();
  #members = new Map<string, Promise<readonly string[]>>();
  #groups = new Map<string, Promise<readonly string[]>>();

  constructor(engine: RbacEngine, source: HostLoginDirectory) {
    this.#engine = engine;
    this.#source = source;
  }

  readonly directory: HostLoginDirectory = {
    principals: async (ids) => {
      const map = this.#principals;
      const missing = ids.filter((id) => !map.has(id));
      if (missing.length > 0) {
        const batch = this.#source.principals(missing);
        // One map per batch: a lookup per id (a group of 20,000 members is one batch).
        const byId = batch.then((found) => new Map(found.map((p) => [p.id, p])));
        for (const id of missing)
          map.set(
            id,
            byId.then((found) => found.get(id)),
          );
        batch.catch(() => {
          for (const id of missing) map.delete(id);
        });
      }
      const found = await Promise.all(ids.map((id) => map.get(id)));
      return found.filter((p): p is LoginCandidate => p !== undefined);
    },
    members: (groupId) => {
      // The engine holds the membership graph in memory (a graph source): no store read.
      const held = this.#engine.membersOf(groupId);
      if (held !== undefined) return Promise.resolve(held);
      return this.#once(this.#members, groupId, () => this.#source.members(groupId));
    },
  };

  groupsOf = (id: string): Promise<readonly string[]> =>
    this.#once(this.#groups, id, async () => [...(await this.#engine.groupsOf(id))]);

  /** A principal changed: its entry goes. */
  forgetPrincipal(id: string): void {
    this.#principals = new Map([...this.#principals].filter(([k]) => k !== id));
  }

  /** Memberships changed (or a principal that may be a group went): member lists and closures go. */
  forgetMemberships(): void {
    this.#members = new Map();
    this.#groups = new Map();
  }

  forgetAll(): void {
    this.#principals = new Map();
    this.forgetMemberships();
  }

  #once<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
    let p = map.get(key);
    if (p === undefined) {
      p = read();
      map.set(key, p);
      p.catch(() => map.delete(key));
    }
    return p;
  }
}

/** What changed on one machine at one version. */
export interface HostLoginDelta {
  readonly machineKey: string;
  readonly version: number;
  readonly upsert: readonly HostLogin[];
  readonly remove: readonly string[];
}

interface Watched extends LoginTarget {
  readonly machineId: string;
  watchers: number;
  /** Its scope, its ancestors and management groups, most specific first (RbacEngine.ancestorKeys). */
  keys: readonly string[];
  ancestorKeys: ReadonlySet<string>;
  logins: Map<string, HostLogin>;
}

function sameLogin(a: HostLogin, b: HostLogin): boolean {
  return (
    a.linuxName === b.linuxName &&
    a.uid === b.uid &&
    a.level === b.level &&
    a.kind === b.kind &&
    a.displayName === b.displayName
  );
}

/**
 * The logins of the watched machines of one tenant, kept current from the change log. Register it
 * with `engine.follow(index)`; `onDelta` hears every machine whose logins changed, per settled
 * version, in order.
 */
export class HostLoginIndex implements ChangeFollower {
  readonly #engine: RbacEngine;
  readonly #onDelta: (delta: HostLoginDelta) => void;
  readonly #onError: (error: unknown) => void;
  readonly #machines = new Map<string, Watched>();
  #version = 0;
  #all = false;
  /** Changed assignments: scope key -> the principals they name. */
  readonly #assignments = new Map<string, Set<string>>();
  readonly #principals = new Set<string>();
  #work: Promise<void> = Promise.resolve();
  readonly #reads: CachedReads;
  /** Principal id and level -> the login object the machines share (see `#intern`). */
  readonly #interned = new Map<string, HostLogin>();

  constructor(options: {
    engine: RbacEngine;
    directory: HostLoginDirectory;
    onDelta: (delta: HostLoginDelta) => void;
    /** A recomputation failed (the store is down): it is tried again at the next settle. */
    onError: (error: unknown) => void;
  }) {
    this.#engine = options.engine;
    this.#onDelta = options.onDelta;
    this.#onError = options.onError;
    this.#reads = new CachedReads(options.engine, options.directory);
  }

  /** The last version whose changes are reflected in every watched machine's logins. */
  get version(): number {
    return this.#version;
  }

  /** Resolves when the work queued so far (settles, watches) is done. */
  idle(): Promise<void> {
    return this.#work;
  }

  /** Starts keeping `machineId`'s logins (counted: one per stream). Answers them. */
  watch(machineId: string): Promise<{ version: number; logins: HostLogin[] }> {
    const key = machineId.toLowerCase();
    return this.#serial(async () => {
      let w = this.#machines.get(key);
      if (w === undefined) {
        w = {
          machineId,
          ...loginActions(machineId),
          watchers: 0,
          keys: [],
          ancestorKeys: new Set(),
          logins: new Map(),
        };
        await this.#recompute(w);
        this.#machines.set(key, w);
      }
      w.watchers++;
      return { version: this.#version, logins: [...w.logins.values()] };
    });
  }

  unwatch(machineId: string): void {
    const key = machineId.toLowerCase();
    const w = this.#machines.get(key);
    if (w !== undefined && --w.watchers <= 0) this.#machines.delete(key);
  }

  /** The watched machine's current logins (undefined when not watched). */
  logins(machineId: string): HostLogin[] | undefined {
    const w = this.#machines.get(machineId.toLowerCase());
    return w && [...w.logins.values()];
  }

  async reset(version: number): Promise<void> {
    this.#version = Math.min(this.#version, version);
    this.#all = true;
    this.#reads.forgetAll();
    this.#interned.clear();
  }

  apply(change: LoggedChange, removed?: RoleAssignment): void {
    if (isRbacChange(change)) {
      const a = change.kind === "assignment.created" ? change.assignment : removed;
      if (a !== undefined) {
        const key = scopeKey(a.scope);
        let named = this.#assignments.get(key);
        if (named === undefined) {
          named = new Set();
          this.#assignments.set(key, named);
        }
        named.add(a.principalId);
      } else if (change.kind !== "assignment.deleted") this.#all = true; // a role's grants changed
    } else if (isDirectoryChange(change)) {
      if (change.kind === "principal.put") {
        this.#reads.forgetPrincipal(change.principal.id);
        if (change.principal.kind === "user" || change.principal.kind === "servicePrincipal")
          this.#principals.add(change.principal.id);
      } else if (change.kind === "principal.deleted") {
        this.#reads.forgetPrincipal(change.id);
        this.#interned.delete(`${change.id} admin`);
        this.#interned.delete(`${change.id} user`);
        this.#reads.forgetMemberships();
        this.#principals.add(change.id);
        // A deleted group takes its members' logins with it: it is not known here which it was.
        if (![...this.#machines.values()].some((w) => w.logins.has(change.id))) this.#all = true;
      } else {
        this.#reads.forgetMemberships();
        this.#principals.add(change.memberId);
        // A group joining or leaving a group moves all of its members.
        this.#all ||= ![...this.#machines.values()].some((w) => w.logins.has(change.memberId));
      }
    } else if (isResourceChange(change) && change.kind !== "machine.put") {
      this.#all = true; // a machine (or what it is under) moved or went away
    }
  }

  settled(version: number): void {
    // After a macrotask: the decisions that waited for this pull resume first (all microtasks run
    // before it), instead of behind the machines' recomputation.
    void this.#serial(async () => {
      await nextTurn();
      await this.#process(version);
    }).catch(this.#onError);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#work.then(work, work);
    this.#work = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #process(settled: number): Promise<void> {
    // The entries noted so far are those of every pull up to the engine's version now (a later
    // pull may have come between the settle and this turn): the deltas are at that version.
    const version = Math.max(settled, this.#engine.version);
    if (!this.#all && this.#assignments.size === 0 && this.#principals.size === 0) {
      this.#version = Math.max(this.#version, version);
      return;
    }
    const all = this.#all;
    const assignments = new Map(this.#assignments);
    const principals = [...this.#principals];
    this.#all = false;
    this.#assignments.clear();
    this.#principals.clear();
    try {
      const reads = this.#reads;
      // Per changed scope, the accounts its assignments can move (an assignment decides only for
      // the principal it names, and a group's for its members): those are checked again on the
      // machines below the scope, each against every assignment; nothing else is recomputed.
      const moved = all ? new Map<string, LoginCandidate[]>() : await this.#accountsNamed(assignments, reads);
      const found = principals.length > 0 ? await reads.directory.principals(principals) : [];
      const byId = new Map(found.map((p) => [p.id, p]));
      // Every principal to check again, with its groups read once (not once per machine): the
      // loop over the machines below is then synchronous, map lookups only.
      const groups = new Map<string, readonly string[]>();
      for (const p of [...found, ...[...moved.values()].flat()])
        if (p.enabled && !groups.has(p.id)) groups.set(p.id, await reads.groupsOf(p.id));
      let visited = 0;
      for (const [key, w] of this.#machines) {
        // Thousands of machines: other work (decisions, requests) gets the event loop in between.
        if (++visited % MACHINES_PER_TURN === 0) await nextTurn();
        if (all) {
          const before = w.logins;
          await this.#recompute(w, reads);
          this.#emit(key, version, before, w.logins);
          continue;
        }
        const check = new Map<string, LoginCandidate | undefined>();
        for (const id of principals) check.set(id, byId.get(id));
        for (const [scope, accounts] of moved)
          if (w.ancestorKeys.has(scope)) for (const p of accounts) check.set(p.id, p);
        // Only the checked principals can change: their entries are updated in place and are the delta.
        const upsert: HostLogin[] = [];
        const remove: string[] = [];
        for (const [id, p] of check) {
          const login = p && hostLoginWith(this.#engine, p, groups.get(id) ?? [], w);
          const old = w.logins.get(id);
          if (login !== undefined) {
            if (old === undefined || !sameLogin(old, login)) {
              const shared = this.#intern(login);
              w.logins.set(id, shared);
              upsert.push(shared);
            }
          } else if (old !== undefined) {
            w.logins.delete(id);
            remove.push(id);
          }
        }
        if (upsert.length > 0 || remove.length > 0)
          this.#onDelta({ machineKey: key, version, upsert, remove });
      }
      this.#version = Math.max(this.#version, version);
    } catch (error) {
      // Nothing is lost: the same work is done again at the next settle.
      this.#all ||= all;
      for (const [scope, ids] of assignments) {
        const named = this.#assignments.get(scope) ?? new Set();
        for (const id of ids) named.add(id);
        this.#assignments.set(scope, named);
      }
      for (const p of principals) this.#principals.add(p);
      throw error;
    }
  }

  /** Scope key -> the accounts the principals named there are or hold as (transitive) members. */
  async #accountsNamed(
    assignments: ReadonlyMap<string, ReadonlySet<string>>,
    reads: CachedReads,
  ): Promise<Map<string, LoginCandidate[]>> {
    const out = new Map<string, LoginCandidate[]>();
    for (const [scope, ids] of assignments) {
      const accounts = new Map<string, LoginCandidate>();
      const seen = new Set<string>();
      let frontier = [...ids];
      while (frontier.length > 0) {
        const fresh = frontier.filter((id) => !seen.has(id));
        for (const id of fresh) seen.add(id);
        frontier = [];
        for (const p of fresh.length > 0 ? await reads.directory.principals(fresh) : []) {
          if (p.kind === "group") frontier.push(...(await reads.directory.members(p.id)));
          else if (isAccount(p)) accounts.set(p.id, p);
        }
      }
      out.set(scope, [...accounts.values()]);
    }
    return out;
  }

  async #recompute(w: Watched, reads = this.#reads): Promise<void> {
    w.keys = await this.#engine.ancestorKeys(parseScope(w.machineId));
    w.ancestorKeys = new Set(w.keys);
    const logins = await computeHostLogins(this.#engine, reads.directory, w.machineId, reads.groupsOf);
    for (const [id, login] of logins) logins.set(id, this.#intern(login));
    w.logins = logins;
  }

  /**
   * One object per principal and level while its content stays the same: the machines' login maps
   * share it (memory per connected agent), and so do the patches made from them, which the host
   * channel then serialises once per distinct content instead of once per agent.
   */
  #intern(login: HostLogin): HostLogin {
    const key = `${login.objectId} ${login.level}`;
    const known = this.#interned.get(key);
    if (known !== undefined && sameLogin(known, login)) return known;
    this.#interned.set(key, login);
    return login;
  }

  #emit(key: string, version: number, before: Map<string, HostLogin>, after: Map<string, HostLogin>): void {
    const upsert: HostLogin[] = [];
    const remove: string[] = [];
    for (const [id, login] of after) {
      const old = before.get(id);
      if (old === undefined || !sameLogin(old, login)) upsert.push(login);
    }
    for (const id of before.keys()) if (!after.has(id)) remove.push(id);
    if (upsert.length > 0 || remove.length > 0) this.#onDelta({ machineKey: key, version, upsert, remove });
  }
}
