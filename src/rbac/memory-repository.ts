/**
 * An in-memory `RbacRepository` for tests and the benchmark (and a reference for store/). It keeps
 * the change feed the way the real stores must: one version bump and one change per write.
 */
import type { ChangeBody, LoggedChange } from "../shared/change-log.ts";
import { RoleAssignmentExistsError } from "./errors.ts";
import type {
  Page,
  PageRequest,
  RbacChange,
  RbacRepository,
  RbacSnapshot,
  RoleAssignment,
  RoleAssignmentFilter,
  RoleDefinition,
} from "./repository.ts";

interface TenantData {
  version: number;
  readonly definitions: Map<string, RoleDefinition>;
  readonly assignments: Map<string, RoleAssignment>;
  readonly changes: LoggedChange[];
}

function page<T>(items: T[], req: PageRequest): Page<T> {
  const start = req.cursor === undefined ? 0 : Number.parseInt(req.cursor, 10) || 0;
  const end = start + Math.max(1, Math.min(1000, req.limit));
  const slice = items.slice(start, end);
  return end < items.length ? { items: slice, nextCursor: String(end) } : { items: slice };
}

export class MemoryRbacRepository implements RbacRepository {
  readonly #tenants = new Map<string, TenantData>();

  #t(tenantId: string): TenantData {
    let t = this.#tenants.get(tenantId);
    if (t === undefined) {
      t = { version: 0, definitions: new Map(), assignments: new Map(), changes: [] };
      this.#tenants.set(tenantId, t);
    }
    return t;
  }

  /** Bulk load without change records, for building large benchmark data sets quickly. */
  seedAssignments(tenantId: string, assignments: Iterable<RoleAssignment>): void {
    const t = this.#t(tenantId);
    for (const a of assignments) t.assignments.set(a.id, a);
  }

  async snapshot(tenantId: string): Promise<RbacSnapshot> {
    const t = this.#t(tenantId);
    const rows = [...t.assignments.values()];
    return {
      version: t.version,
      definitions: [...t.definitions.values()],
      assignments: (async function* () {
        yield* rows;
      })(),
    };
  }

  async changesSince(tenantId: string, after: number, limit: number): Promise<readonly LoggedChange[]> {
    const { changes } = this.#t(tenantId);
    // Versions are consecutive, so the change with version v sits at index v - (first version).
    const start = Math.max(0, after + 1 - (changes[0]?.version ?? 1));
    return changes.slice(start, start + limit);
  }

  async headVersion(tenantId: string): Promise<number> {
    return this.#t(tenantId).version;
  }

  /** Forgets changes up to `version`, as a store that prunes its change table would. */
  pruneChanges(tenantId: string, version: number): void {
    const { changes } = this.#t(tenantId);
    while (changes.length > 0 && (changes[0] as LoggedChange).version <= version) changes.shift();
  }

  #record(t: TenantData, change: ChangeBody<RbacChange>): number {
    t.version += 1;
    t.changes.push({ ...change, version: t.version } as RbacChange);
    return t.version;
  }

  /** Another kind of change in the same log (a directory or resource change), as the store records them. */
  recordOther(tenantId: string, change: ChangeBody<LoggedChange> & Record<string, unknown>): number {
    const t = this.#t(tenantId);
    t.version += 1;
    t.changes.push({ ...change, version: t.version });
    return t.version;
  }

  async putRoleDefinition(d: RoleDefinition): Promise<number> {
    const t = this.#t(d.tenantId);
    t.definitions.set(d.id, d);
    return this.#record(t, { kind: "definition.put", definition: d });
  }

  async deleteRoleDefinition(tenantId: string, id: string): Promise<number | undefined> {
    const t = this.#t(tenantId);
    if (!t.definitions.delete(id)) return undefined;
    return this.#record(t, { kind: "definition.deleted", id });
  }

  async getRoleDefinition(tenantId: string, id: string): Promise<RoleDefinition | undefined> {
    return this.#t(tenantId).definitions.get(id);
  }

  async listRoleDefinitions(tenantId: string, req: PageRequest): Promise<Page<RoleDefinition>> {
    return page([...this.#t(tenantId).definitions.values()], req);
  }

  async createRoleAssignment(a: RoleAssignment): Promise<number> {
    const t = this.#t(a.tenantId);
    if (t.assignments.has(a.id))
      throw new RoleAssignmentExistsError(`role assignment '${a.id}' already exists`);
    t.assignments.set(a.id, a);
    return this.#record(t, { kind: "assignment.created", assignment: a });
  }

  async createRoleAssignments(tenantId: string, assignments: readonly RoleAssignment[]): Promise<number> {
    const t = this.#t(tenantId);
    const ids = new Set<string>();
    for (const a of assignments) {
      if (a.tenantId !== tenantId) throw new TypeError("createRoleAssignments: one tenant per call");
      if (t.assignments.has(a.id) || ids.has(a.id))
        throw new RoleAssignmentExistsError(`role assignment '${a.id}' already exists`);
      ids.add(a.id);
    }
    for (const a of assignments) {
      t.assignments.set(a.id, a);
      this.#record(t, { kind: "assignment.created", assignment: a });
    }
    return t.version;
  }

  async deleteRoleAssignment(tenantId: string, id: string): Promise<number | undefined> {
    const t = this.#t(tenantId);
    if (!t.assignments.delete(id)) return undefined;
    return this.#record(t, { kind: "assignment.deleted", id });
  }

  async getRoleAssignment(tenantId: string, id: string): Promise<RoleAssignment | undefined> {
    return this.#t(tenantId).assignments.get(id);
  }

  async listRoleAssignments(
    tenantId: string,
    filter: RoleAssignmentFilter,
    req: PageRequest,
  ): Promise<Page<RoleAssignment>> {
    const scope = filter.scope?.toLowerCase();
    const items = [...this.#t(tenantId).assignments.values()].filter(
      (a) =>
        (scope === undefined || a.scope.toLowerCase() === scope) &&
        (filter.principalId === undefined || a.principalId === filter.principalId) &&
        (filter.roleDefinitionId === undefined || a.roleDefinitionId === filter.roleDefinitionId),
    );
    return page(items, req);
  }
}
