/**
 * The in-memory index a check walks: normalised scope key -> principal id -> assignments. A check
 * costs one map lookup per (ancestor scope, principal or group) pair, whatever the total number
 * of assignments. Also by principal (what a listing shows someone whose role is inside a
 * container). Adding and removing are idempotent so that change-feed replays are harmless.
 */
import type { RoleAssignment } from "../repository.ts";
import { scopeKey } from "../scope.ts";

export type ScopeBucket = ReadonlyMap<string, readonly RoleAssignment[]>;

export class AssignmentIndex {
  readonly #byId = new Map<string, RoleAssignment>();
  readonly #byScope = new Map<string, Map<string, RoleAssignment[]>>();
  readonly #perRole = new Map<string, number>();
  readonly #byPrincipal = new Map<string, RoleAssignment[]>();

  /** Builds an index from a snapshot stream; many assignments share a scope, so each is parsed once. */
  static async load(assignments: AsyncIterable<RoleAssignment>): Promise<AssignmentIndex> {
    const index = new AssignmentIndex();
    const keys = new Map<string, string>();
    for await (const a of assignments) {
      let key = keys.get(a.scope);
      if (key === undefined) {
        key = scopeKey(a.scope);
        keys.set(a.scope, key);
      }
      index.add(a, key);
    }
    return index;
  }

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): RoleAssignment | undefined {
    return this.#byId.get(id);
  }

  at(key: string): ScopeBucket | undefined {
    return this.#byScope.get(key);
  }

  /** Every scope key that holds assignments, with its bucket. */
  scopes(): IterableIterator<[string, ScopeBucket]> {
    return this.#byScope.entries();
  }

  countForRole(roleDefinitionId: string): number {
    return this.#perRole.get(roleDefinitionId) ?? 0;
  }

  all(): IterableIterator<RoleAssignment> {
    return this.#byId.values();
  }

  /** The assignments that name `principalId` directly (not through its groups). */
  ofPrincipal(principalId: string): readonly RoleAssignment[] {
    return this.#byPrincipal.get(principalId) ?? [];
  }

  /** The same role for the same principal at the same scope, if any. */
  find(key: string, principalId: string, roleDefinitionId: string): RoleAssignment | undefined {
    return this.#byScope
      .get(key)
      ?.get(principalId)
      ?.find((a) => a.roleDefinitionId === roleDefinitionId);
  }

  add(a: RoleAssignment, key: string = scopeKey(a.scope)): void {
    if (this.#byId.has(a.id)) return;
    this.#byId.set(a.id, a);
    let bucket = this.#byScope.get(key);
    if (bucket === undefined) {
      bucket = new Map();
      this.#byScope.set(key, bucket);
    }
    const list = bucket.get(a.principalId);
    if (list === undefined) bucket.set(a.principalId, [a]);
    else list.push(a);
    const mine = this.#byPrincipal.get(a.principalId);
    if (mine === undefined) this.#byPrincipal.set(a.principalId, [a]);
    else mine.push(a);
    this.#perRole.set(a.roleDefinitionId, this.countForRole(a.roleDefinitionId) + 1);
  }

  remove(id: string): RoleAssignment | undefined {
    const a = this.#byId.get(id);
    if (a === undefined) return undefined;
    this.#byId.delete(id);
    const key = scopeKey(a.scope);
    const bucket = this.#byScope.get(key);
    const list = bucket?.get(a.principalId);
    if (bucket !== undefined && list !== undefined) {
      const rest = list.filter((x) => x.id !== id);
      if (rest.length > 0) bucket.set(a.principalId, rest);
      else bucket.delete(a.principalId);
      if (bucket.size === 0) this.#byScope.delete(key);
    }
    const mine = this.#byPrincipal.get(a.principalId);
    if (mine !== undefined) {
      const rest = mine.filter((x) => x.id !== id);
      if (rest.length > 0) this.#byPrincipal.set(a.principalId, rest);
      else this.#byPrincipal.delete(a.principalId);
    }
    const n = this.countForRole(a.roleDefinitionId) - 1;
    if (n > 0) this.#perRole.set(a.roleDefinitionId, n);
    else this.#perRole.delete(a.roleDefinitionId);
    return a;
  }
}
