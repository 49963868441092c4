/**
 * RbacRepository on Kysely. Every write records one entry in the tenant's change log in the same
 * transaction, which is what lets RBAC engines on several replicas follow `changesSince`.
 */
import type { Selectable } from "kysely";
import {
  type PrincipalType,
  type RbacChange,
  type RbacRepository,
  type RoleAssignment,
  RoleAssignmentExistsError,
  type RoleDefinition,
  RoleDefinitionConflictError,
} from "../../rbac/index.ts";
import type { ChangeBody } from "../../shared/change-log.ts";
import { lockChangeHead, recordChanges, sqlChangeLog } from "../lib/change-log.ts";
import { insertOrConflict, type StoreContext, withTransaction } from "../lib/context.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";
import type { Database } from "../schema.ts";

/** Assignments are streamed to the engine in batches of this many rows. */
const SNAPSHOT_BATCH = 5000;

function toDefinition(r: Selectable<Database["role_definitions"]>): RoleDefinition {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    description: r.description,
    builtIn: false,
    permissions: JSON.parse(r.permissions) as RoleDefinition["permissions"],
    assignableScopes: JSON.parse(r.assignable_scopes) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
  };
}

function toAssignment(r: Selectable<Database["role_assignments"]>): RoleAssignment {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    roleDefinitionId: r.role_definition_id,
    principalId: r.principal_id,
    principalType: r.principal_type as PrincipalType,
    scope: r.scope,
    createdAt: r.created_at,
    createdBy: r.created_by,
    description: r.description,
  };
}

/** Rows per statement in bulk writes (10 parameters a row: below SQLite's 32,766 and PostgreSQL's 65,535). */
const BULK_ROWS = 1000;

function assignmentRow(a: RoleAssignment) {
  return {
    id: a.id,
    tenant_id: a.tenantId,
    role_definition_id: a.roleDefinitionId,
    principal_id: a.principalId,
    principal_type: a.principalType,
    scope: a.scope,
    scope_key: a.scope.toLowerCase(),
    description: a.description,
    created_at: a.createdAt,
    created_by: a.createdBy,
  };
}

/** Records one RBAC change in the tenant's change log; returns its version. Call inside a transaction. */
function record(tx: StoreContext, tenantId: string, change: ChangeBody<RbacChange>): Promise<number> {
  return recordChanges(tx, tenantId, [change]);
}

export function sqlRbacRepository(ctx: StoreContext): RbacRepository {
  const { db } = ctx;
  const log = sqlChangeLog(ctx);
  return {
    async snapshot(tenantId) {
      // The version is read before the rows; replaying a change twice is harmless (see the interface).
      const v = await log.head(tenantId);
      const definitions = await db
        .selectFrom("role_definitions")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("id")
        .execute();
      async function* assignments(): AsyncGenerator<RoleAssignment> {
        let after = "";
        for (;;) {
          const rows = await db
            .selectFrom("role_assignments")
            .selectAll()
            .where("tenant_id", "=", tenantId)
            .where("id", ">", after)
            .orderBy("id")
            .limit(SNAPSHOT_BATCH)
            .execute();
          for (const r of rows) yield toAssignment(r);
          const last = rows[rows.length - 1];
          if (!last || rows.length < SNAPSHOT_BATCH) return;
          after = last.id;
        }
      }
      return { version: v, definitions: definitions.map(toDefinition), assignments: assignments() };
    },
    changesSince: (tenantId, after, limit) => log.since(tenantId, after, limit),
    headVersion: (tenantId) => log.head(tenantId),

    putRoleDefinition(d) {
      return withTransaction(ctx, async (tx) => {
        const values = {
          tenant_id: d.tenantId,
          name: d.name,
          name_key: d.name.toLowerCase(),
          description: d.description,
          permissions: JSON.stringify(d.permissions),
          assignable_scopes: JSON.stringify(d.assignableScopes),
          updated_at: d.updatedAt,
        };
        await insertOrConflict(
          tx,
          () =>
            tx.db
              .insertInto("role_definitions")
              .values({ id: d.id, ...values, created_at: d.createdAt, created_by: d.createdBy })
              .onConflict((oc) => oc.column("id").doUpdateSet(values))
              .execute(),
          () => new RoleDefinitionConflictError(`a role named '${d.name}' already exists`),
        );
        return record(tx, d.tenantId, { kind: "definition.put", definition: d });
      });
    },
    deleteRoleDefinition(tenantId, id) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .deleteFrom("role_definitions")
          .where("tenant_id", "=", tenantId)
          .where("id", "=", id)
          .executeTakeFirst();
        if ((r.numDeletedRows ?? 0n) === 0n) return undefined;
        return record(tx, tenantId, { kind: "definition.deleted", id });
      });
    },
    async getRoleDefinition(tenantId, id) {
      const r = await db
        .selectFrom("role_definitions")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return r && toDefinition(r);
    },
    async listRoleDefinitions(tenantId, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = db.selectFrom("role_definitions").selectAll().where("tenant_id", "=", tenantId);
      if (after !== undefined) q = q.where("id", ">", after);
      const rows = await q
        .orderBy("id")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => r.id, toDefinition);
    },

    createRoleAssignment(a) {
      return withTransaction(ctx, async (tx) => {
        await insertOrConflict(
          tx,
          () => tx.db.insertInto("role_assignments").values(assignmentRow(a)).execute(),
          () => new RoleAssignmentExistsError("the role assignment already exists"),
        );
        return record(tx, a.tenantId, { kind: "assignment.created", assignment: a });
      });
    },
    createRoleAssignments(tenantId, assignments) {
      if (assignments.length === 0) return log.head(tenantId);
      return withTransaction(ctx, async (tx) => {
        for (const a of assignments)
          if (a.tenantId !== tenantId) throw new TypeError("createRoleAssignments: one tenant per call");
        // The head first: every writer takes it before any row lock (store/lib/change-log.ts).
        await lockChangeHead(tx, tenantId);
        for (let i = 0; i < assignments.length; i += BULK_ROWS) {
          const rows = assignments.slice(i, i + BULK_ROWS);
          await insertOrConflict(
            tx,
            () => tx.db.insertInto("role_assignments").values(rows.map(assignmentRow)).execute(),
            () => new RoleAssignmentExistsError("a role assignment already exists"),
          );
        }
        let version = 0;
        for (let i = 0; i < assignments.length; i += BULK_ROWS)
          version = await recordChanges(
            tx,
            tenantId,
            assignments
              .slice(i, i + BULK_ROWS)
              .map((assignment) => ({ kind: "assignment.created", assignment })),
          );
        return version;
      });
    },
    deleteRoleAssignment(tenantId, id) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .deleteFrom("role_assignments")
          .where("tenant_id", "=", tenantId)
          .where("id", "=", id)
          .executeTakeFirst();
        if ((r.numDeletedRows ?? 0n) === 0n) return undefined;
        return record(tx, tenantId, { kind: "assignment.deleted", id });
      });
    },
    async getRoleAssignment(tenantId, id) {
      const r = await db
        .selectFrom("role_assignments")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return r && toAssignment(r);
    },
    async listRoleAssignments(tenantId, filter, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = db.selectFrom("role_assignments").selectAll().where("tenant_id", "=", tenantId);
      if (filter.scope !== undefined) q = q.where("scope_key", "=", filter.scope.toLowerCase());
      if (filter.principalId !== undefined) q = q.where("principal_id", "=", filter.principalId);
      if (filter.roleDefinitionId !== undefined)
        q = q.where("role_definition_id", "=", filter.roleDefinitionId);
      if (after !== undefined) q = q.where("id", ">", after);
      const rows = await q
        .orderBy("id")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => r.id, toAssignment);
    },
  };
}
