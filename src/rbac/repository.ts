/**
 * The storage RBAC needs. `store/` implements `RbacRepository` (SQLite and PostgreSQL); rbac/
 * ships an in-memory one for its own tests and benchmark (`lib/memory-repository.ts`).
 *
 * Plain data only. The engine keeps an in-memory index of everything and stays current through
 * the change feed: every write bumps a per-tenant version counter and records one `RbacChange`
 * in the same transaction, so `changesSince(v)` replays exactly what happened after `v`.
 *
 * Versions are consecutive integers per tenant (1, 2, 3, ...) and become visible in order: take
 * the next version with a row lock on the tenant's counter inside the write transaction (e.g.
 * `UPDATE rbac_versions SET version = version + 1 ... RETURNING version`), so a reader never sees
 * version n+1 before n. Old changes may be pruned; the engine notices the gap and reloads.
 *
 * Built-in roles are NOT stored: they live in code (`built-in-roles.ts`) with fixed ids, so the
 * repository only ever holds custom role definitions.
 *
 * Validation (names, scopes, patterns, duplicates, "role in use") is the engine's job; the store
 * only has to enforce primary keys and report them as a conflict.
 */

export type PrincipalType = "User" | "Group" | "ServicePrincipal" | "ManagedIdentity";

/** One permission block, as Azure's `permissions[0]`. Patterns may contain `*`. */
export interface Permissions {
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

export interface RoleDefinition {
  /** A GUID. Built-ins use Azure's well-known ids; custom roles get a random UUID. */
  readonly id: string;
  /** Built-ins have `tenantId` "" (they belong to every tenant). */
  readonly tenantId: string;
  /** Unique per tenant, compared case-insensitively; never equal to a built-in's name. */
  readonly name: string;
  readonly description: string;
  readonly builtIn: boolean;
  readonly permissions: Permissions;
  /** Scope strings under which the role may be assigned. Built-ins: `["/"]`. */
  readonly assignableScopes: readonly string[];
  /** ISO 8601 timestamps. */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Object id of the principal that created or last changed it ("" for built-ins). */
  readonly createdBy: string;
}

export interface RoleAssignment {
  /** A GUID. */
  readonly id: string;
  readonly tenantId: string;
  readonly roleDefinitionId: string;
  /** Object id of the user, group, service principal or managed identity. */
  readonly principalId: string;
  readonly principalType: PrincipalType;
  /** The scope as the caller wrote it (case preserved); the engine compares case-insensitively. */
  readonly scope: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Object id of the principal that created it. */
  readonly createdBy: string;
  readonly description: string;
}

export interface PageRequest {
  /** 1..1000. */
  readonly limit: number;
  /** Opaque; from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
}

/** Filters for listing assignments. `scope` is an exact match, case-insensitive. */
export interface RoleAssignmentFilter {
  readonly scope?: string;
  readonly principalId?: string;
  readonly roleDefinitionId?: string;
}

export type RbacChange =
  | { readonly version: number; readonly kind: "assignment.created"; readonly assignment: RoleAssignment }
  | { readonly version: number; readonly kind: "assignment.deleted"; readonly id: string }
  | { readonly version: number; readonly kind: "definition.put"; readonly definition: RoleDefinition }
  | { readonly version: number; readonly kind: "definition.deleted"; readonly id: string };

/** A consistent starting point for the in-memory index. */
export interface RbacSnapshot {
  /** The version the rows below reflect (read in the same transaction, or before the rows). */
  readonly version: number;
  readonly definitions: readonly RoleDefinition[];
  /** Streamed: there may be millions. */
  readonly assignments: AsyncIterable<RoleAssignment>;
}

export interface RbacRepository {
  /** Everything for one tenant; the engine then follows `changesSince(snapshot.version)`. */
  snapshot(tenantId: string): Promise<RbacSnapshot>;
  /**
   * Changes with `version > after`, oldest first, at most `limit`. Applying a change twice is
   * harmless, so a snapshot whose version was read before its rows is fine.
   */
  changesSince(tenantId: string, after: number, limit: number): Promise<readonly RbacChange[]>;

  /** Custom roles only. Returns the new tenant version. */
  putRoleDefinition(definition: RoleDefinition): Promise<number>;
  /** Returns the new tenant version, or undefined when there was no such row. */
  deleteRoleDefinition(tenantId: string, id: string): Promise<number | undefined>;
  getRoleDefinition(tenantId: string, id: string): Promise<RoleDefinition | undefined>;
  listRoleDefinitions(tenantId: string, page: PageRequest): Promise<Page<RoleDefinition>>;

  /** Fails with a conflict when the id exists. Returns the new tenant version. */
  createRoleAssignment(assignment: RoleAssignment): Promise<number>;
  /** Returns the new tenant version, or undefined when there was no such row. */
  deleteRoleAssignment(tenantId: string, id: string): Promise<number | undefined>;
  getRoleAssignment(tenantId: string, id: string): Promise<RoleAssignment | undefined>;
  listRoleAssignments(
    tenantId: string,
    filter: RoleAssignmentFilter,
    page: PageRequest,
  ): Promise<Page<RoleAssignment>>;
}
