/**
 * The storage RBAC needs. `store/` implements `RbacRepository` (SQLite and PostgreSQL); rbac/
 * ships an in-memory one for its own tests and benchmark (`memory-repository.ts`).
 *
 * Plain data only. The engine keeps an in-memory index of everything and stays current through
 * the tenant's change log (shared/change-log.ts): every write records one `RbacChange` in the
 * same transaction, so `changesSince(v)` replays exactly what happened after `v`. The log holds
 * every other kind of change too (directory, resources, CA): versions are consecutive across all
 * of them, and the engine skips the kinds that are not its own (`isRbacChange`).
 *
 * Versions become visible in order (the store takes them under the tenant's head-row lock), so a
 * reader never sees version n+1 before n. Old entries may be pruned; the engine notices the gap
 * and reloads.
 *
 * Built-in roles are NOT stored: they live in code (`built-in-roles.ts`) with fixed ids, so the
 * repository only ever holds custom role definitions.
 *
 * Validation (names, scopes, patterns, duplicates, "role in use") is the engine's job; the store
 * only has to enforce primary keys and report them as a conflict.
 */
import { isChangeOf, type LoggedChange } from "../shared/change-log.ts";

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

export const RBAC_CHANGE_KINDS: ReadonlySet<string> = new Set([
  "assignment.created",
  "assignment.deleted",
  "definition.put",
  "definition.deleted",
]);

export const isRbacChange = (c: LoggedChange): c is RbacChange =>
  isChangeOf<RbacChange>(RBAC_CHANGE_KINDS, c);

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
   * Change-log entries (of every kind) with `version > after`, oldest first, at most `limit`.
   * Applying a change twice is harmless, so a snapshot whose version was read before its rows is
   * fine.
   */
  changesSince(tenantId: string, after: number, limit: number): Promise<readonly LoggedChange[]>;
  /**
   * The tenant's latest committed version (0 before its first change): what a decision compares
   * with its engine's version before deciding. One primary-key read.
   */
  headVersion(tenantId: string): Promise<number>;

  /** Custom roles only. Returns the new tenant version. */
  putRoleDefinition(definition: RoleDefinition): Promise<number>;
  /** Returns the new tenant version, or undefined when there was no such row. */
  deleteRoleDefinition(tenantId: string, id: string): Promise<number | undefined>;
  getRoleDefinition(tenantId: string, id: string): Promise<RoleDefinition | undefined>;
  listRoleDefinitions(tenantId: string, page: PageRequest): Promise<Page<RoleDefinition>>;

  /** Fails with a conflict when the id exists. Returns the new tenant version. */
  createRoleAssignment(assignment: RoleAssignment): Promise<number>;
  /**
   * Many assignments of one tenant at once (an import, a benchmark's large tenant): the rows and
   * one `assignment.created` entry each, in order, in one transaction; all or none (a conflict on
   * any id fails the whole call). No domain checks: callers are trusted code. Returns the new
   * tenant version.
   */
  createRoleAssignments(tenantId: string, assignments: readonly RoleAssignment[]): Promise<number>;
  /** Returns the new tenant version, or undefined when there was no such row. */
  deleteRoleAssignment(tenantId: string, id: string): Promise<number | undefined>;
  getRoleAssignment(tenantId: string, id: string): Promise<RoleAssignment | undefined>;
  listRoleAssignments(
    tenantId: string,
    filter: RoleAssignmentFilter,
    page: PageRequest,
  ): Promise<Page<RoleAssignment>>;
}
