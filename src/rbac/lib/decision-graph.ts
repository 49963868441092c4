/**
 * What a decision needs besides assignments and roles, in memory: the directory's group
 * memberships (each member's direct groups, each group's direct members) and the containers of
 * the resource tree that assignments are inherited through above the resource id itself
 * (management groups and subscriptions, with their parents). Built from a snapshot of the store,
 * then kept current by the engine from the tenant's change log (`membership.*`,
 * `principal.deleted`, `resource.*`), in the same pull as the assignments.
 *
 * Every entry of the log carries full state, so applying one twice, or applying entries to a
 * snapshot read after their version, converges on the same state.
 */
import { isDirectoryChange } from "../../directory/changes.ts";
import { isResourceChange, type ResourceState } from "../../resources/changes.ts";
import type { LoggedChange } from "../../shared/change-log.ts";
import { parseScope } from "../scope.ts";

/** One direct membership: `memberId` (any principal, groups included) is in `groupId`. */
export interface Membership {
  readonly groupId: string;
  readonly memberId: string;
}

/** Where the graph's snapshot comes from (the server adapts the store). */
export interface DecisionGraphSource {
  /** Every direct membership of the tenant. */
  memberships(tenantId: string): AsyncIterable<Membership>;
  /** The tenant's management groups and subscriptions, with their parents. */
  containers(tenantId: string): AsyncIterable<ResourceState>;
}

interface Container {
  readonly id: string;
  readonly kind: ResourceState["kind"];
  readonly parentKey: string | undefined;
  /** rbac's comparison key of `id` (scope.ts), undefined when rbac cannot parse it. */
  readonly scopeKey: string | undefined;
}

/** Deeper than any tree the resources module allows (it refuses more than 6 group levels). */
const MAX_DEPTH = 64;

const EMPTY: readonly string[] = Object.freeze([]);

function scopeKeyOf(id: string): string | undefined {
  try {
    return parseScope(id).key;
  } catch {
    return undefined;
  }
}

export class DecisionGraph {
  /** member id -> the groups it is directly in (short lists). */
  readonly #memberOf = new Map<string, string[]>();
  /** group id -> its direct members. */
  readonly #members = new Map<string, Set<string>>();
  /** resources key (lower-case id) -> management group or subscription. */
  readonly #containers = new Map<string, Container>();
  /** rbac scope key -> resources key. */
  readonly #byScope = new Map<string, string>();

  static async load(source: DecisionGraphSource, tenantId: string): Promise<DecisionGraph> {
    const graph = new DecisionGraph();
    for await (const m of source.memberships(tenantId)) graph.#addMembership(m.groupId, m.memberId);
    for await (const r of source.containers(tenantId)) graph.#putContainer(r);
    return graph;
  }

  get membershipCount(): number {
    let n = 0;
    for (const list of this.#memberOf.values()) n += list.length;
    return n;
  }

  /** Applies one change-log entry; answers whether it was one of the graph's kinds. */
  apply(change: LoggedChange): boolean {
    if (isDirectoryChange(change)) {
      if (change.kind === "membership.added") this.#addMembership(change.groupId, change.memberId);
      else if (change.kind === "membership.removed") this.#removeMembership(change.groupId, change.memberId);
      else if (change.kind === "principal.deleted") this.#removePrincipal(change.id);
      else return false; // principal.put: nothing a decision reads
      return true;
    }
    if (isResourceChange(change)) {
      if (change.kind === "resource.put") this.#putContainer(change.resource);
      else if (change.kind === "resource.deleted") this.#removeContainer(change.key);
      else return false;
      return true;
    }
    return false;
  }

  /**
   * Every group `principalId` is in, directly or through other groups, without the principal
   * itself (a visited set: terminates on any graph).
   */
  groupsOf(principalId: string): readonly string[] {
    const direct = this.#memberOf.get(principalId);
    if (direct === undefined) return EMPTY;
    const seen = new Set<string>();
    const todo = [...direct];
    while (todo.length > 0) {
      const g = todo.pop() as string;
      if (seen.has(g) || g === principalId) continue;
      seen.add(g);
      const up = this.#memberOf.get(g);
      if (up !== undefined) for (const p of up) if (!seen.has(p)) todo.push(p);
    }
    return [...seen];
  }

  /** The direct members of a group (ids). */
  membersOf(groupId: string): readonly string[] {
    const members = this.#members.get(groupId);
    return members === undefined ? EMPTY : [...members];
  }

  /**
   * The rbac scope keys of the management groups above the subscription or management group
   * whose key is `topKey`, nearest first; empty when the tree does not hold it (what the resource
   * tree's own `managementGroupsAbove` answers from the store).
   */
  managementGroupKeysAbove(topKey: string): readonly string[] {
    const start = this.#byScope.get(topKey);
    let node = start === undefined ? undefined : this.#containers.get(start);
    if (node === undefined) return EMPTY;
    const out: string[] = [];
    const seen = new Set<string>([start as string]);
    for (let depth = 0; node.parentKey !== undefined && depth < MAX_DEPTH; depth++) {
      const parentKey: string = node.parentKey;
      if (seen.has(parentKey)) break; // a cycle cannot be stored; never loop on one anyway
      seen.add(parentKey);
      const parent = this.#containers.get(parentKey);
      if (parent === undefined) break;
      if (parent.kind === "managementGroup" && parent.scopeKey !== undefined) out.push(parent.scopeKey);
      node = parent;
    }
    return out;
  }

  #addMembership(groupId: string, memberId: string): void {
    const list = this.#memberOf.get(memberId);
    if (list === undefined) this.#memberOf.set(memberId, [groupId]);
    else if (!list.includes(groupId)) list.push(groupId);
    let members = this.#members.get(groupId);
    if (members === undefined) {
      members = new Set();
      this.#members.set(groupId, members);
    }
    members.add(memberId);
  }

  #removeMembership(groupId: string, memberId: string): void {
    const list = this.#memberOf.get(memberId);
    if (list !== undefined) {
      const rest = list.filter((g) => g !== groupId);
      if (rest.length > 0) this.#memberOf.set(memberId, rest);
      else this.#memberOf.delete(memberId);
    }
    const members = this.#members.get(groupId);
    if (members !== undefined) {
      members.delete(memberId);
      if (members.size === 0) this.#members.delete(groupId);
    }
  }

  /** A deleted principal takes every membership it was part of, as member and as group. */
  #removePrincipal(id: string): void {
    for (const g of this.#memberOf.get(id) ?? []) this.#removeMembership(g, id);
    for (const m of this.#members.get(id) ?? []) this.#removeMembership(id, m);
  }

  #putContainer(r: ResourceState): void {
    if (r.kind !== "managementGroup" && r.kind !== "subscription") return;
    this.#removeContainer(r.key);
    const scopeKey = scopeKeyOf(r.id);
    this.#containers.set(r.key, { id: r.id, kind: r.kind, parentKey: r.parentKey, scopeKey });
    if (scopeKey !== undefined) this.#byScope.set(scopeKey, r.key);
  }

  #removeContainer(key: string): void {
    const old = this.#containers.get(key);
    if (old === undefined) return;
    this.#containers.delete(key);
    if (old.scopeKey !== undefined && this.#byScope.get(old.scopeKey) === key)
      this.#byScope.delete(old.scopeKey);
  }
}
