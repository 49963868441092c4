/** ResourceRepository on Kysely: the same code for SQLite and PostgreSQL. */

import { type Selectable, sql } from "kysely";
import {
  type Resource,
  ResourceConflictError,
  type ResourceKind,
  type ResourceRepository,
} from "../../resources/index.ts";
import { classifyDbError } from "../dialect-profile.ts";
import { recordChanges } from "../lib/change-log.ts";
import { insertOrConflict, millis, type StoreContext, toDate, withTransaction } from "../lib/context.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";
import type { Database } from "../schema.ts";
import { sqlMachineMethods } from "./sql-resource-machines.ts";

type ResourceRow = Selectable<Database["resources"]>;

function toResource(r: ResourceRow, parentId: string | null): Resource {
  return {
    kind: r.kind as ResourceKind,
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    parentId: parentId ?? undefined,
    displayName: r.display_name,
    location: r.location,
    tags: Object.freeze(JSON.parse(r.tags) as Record<string, string>),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

/** Longer than any legal chain (root + 6 management-group levels + 4 below), short enough to stop a cycle. */
const MAX_DEPTH = 16;

export function sqlResourceRepository(ctx: StoreContext): ResourceRepository {
  const { db } = ctx;
  // The parent's canonical id comes from a self-join: rows store only the parent's key.
  const withParent = () =>
    db
      .selectFrom("resources as r")
      .leftJoin("resources as parent", "parent.key", "r.parent_key")
      .selectAll("r")
      .select("parent.id as parent_id");

  return {
    transaction: (work) => withTransaction(ctx, (tx) => work(sqlResourceRepository(tx))),

    insertResource(r) {
      return withTransaction(ctx, async (tx) => {
        const key = r.id.toLowerCase();
        const parentKey = r.parentId?.toLowerCase();
        await insertOrConflict(
          tx,
          () =>
            tx.db
              .insertInto("resources")
              .values({
                key,
                id: r.id,
                tenant_id: r.tenantId,
                kind: r.kind,
                name: r.name,
                parent_key: parentKey ?? null,
                display_name: r.displayName,
                location: r.location,
                tags: JSON.stringify(r.tags),
                created_at: millis(r.createdAt),
                updated_at: millis(r.updatedAt),
              })
              .execute(),
          () => new ResourceConflictError(`${r.id} already exists`),
        );
        const resource = { key, id: r.id, kind: r.kind, ...(parentKey ? { parentKey } : {}) };
        await recordChanges(tx, r.tenantId, [{ kind: "resource.put", resource }]);
      });
    },
    async getResource(key) {
      const r = await withParent().where("r.key", "=", key).executeTakeFirst();
      return r && toResource(r, r.parent_id);
    },
    async listChildren(parentKey, kind, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = withParent().where("r.parent_key", "=", parentKey);
      if (kind) q = q.where("r.kind", "=", kind);
      if (after !== undefined) q = q.where("r.key", ">", after);
      const rows = await q
        .orderBy("r.key")
        .limit(limit + 1)
        .execute();
      return pageOf(
        rows,
        limit,
        (r) => r.key,
        (r) => toResource(r, r.parent_id),
      );
    },
    async countChildren(parentKey) {
      const r = await db
        .selectFrom("resources")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("parent_key", "=", parentKey)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async listAncestors(key) {
      // The depth bound stops the walk even if a cycle were ever written by hand.
      const r = await sql<ResourceRow & { parent_id: string | null; depth: number }>`
        with recursive chain(key, depth) as (
          select key, 0 from resources where key = ${key}
          union all
          select r.parent_key, c.depth + 1 from resources r join chain c on r.key = c.key
          where r.parent_key is not null and c.depth < ${MAX_DEPTH}
        )
        select res.*, parent.id as parent_id, chain.depth
        from chain
        join resources res on res.key = chain.key
        left join resources parent on parent.key = res.parent_key
        order by chain.depth`.execute(db);
      return r.rows.map((row) => toResource(row, row.parent_id));
    },
    async listByKind(tenantId, kind, page) {
      const limit = checkLimit(page.limit);
      const after = decodeCursor(page.cursor);
      let q = withParent().where("r.tenant_id", "=", tenantId).where("r.kind", "=", kind);
      if (after !== undefined) q = q.where("r.key", ">", after);
      const rows = await q
        .orderBy("r.key")
        .limit(limit + 1)
        .execute();
      return pageOf(
        rows,
        limit,
        (r) => r.key,
        (r) => toResource(r, r.parent_id),
      );
    },
    setParent(key, parentKey, now) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .updateTable("resources")
          .set({ parent_key: parentKey, updated_at: millis(now) })
          .where("key", "=", key)
          .returning(["tenant_id", "id", "kind"])
          .executeTakeFirst();
        if (r === undefined) return false;
        const resource = { key, id: r.id, kind: r.kind as ResourceKind, parentKey };
        await recordChanges(tx, r.tenant_id, [{ kind: "resource.put", resource }]);
        return true;
      });
    },
    deleteResource(key) {
      return withTransaction(ctx, async (tx) => {
        const row = await tx.db
          .selectFrom("resources")
          .select("tenant_id")
          .where("key", "=", key)
          .executeTakeFirst();
        if (row === undefined) return false;
        try {
          await tx.db.deleteFrom("resources").where("key", "=", key).execute();
        } catch (error) {
          if (classifyDbError(ctx.profile, error) === "foreign_key")
            throw new ResourceConflictError("the resource still has children");
          throw error;
        }
        await recordChanges(tx, row.tenant_id, [{ kind: "resource.deleted", key }]);
        return true;
      });
    },

    ...sqlMachineMethods(ctx),
  };
}
