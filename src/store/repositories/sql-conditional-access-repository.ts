/** policy's `ConditionalAccessRepository`: JSON documents keyed by (tenant, id), upserted whole. */
import type { ConditionalAccessRepository } from "../../policy/index.ts";
import { millis, type StoreContext } from "../lib/context.ts";

type Table = "conditional_access_policies" | "named_locations";

export function sqlConditionalAccessRepository(ctx: StoreContext): ConditionalAccessRepository {
  const { db } = ctx;
  const list = async (table: Table, tenantId: string) =>
    (
      await db.selectFrom(table).select("document").where("tenant_id", "=", tenantId).orderBy("id").execute()
    ).map((r) => JSON.parse(r.document) as unknown);
  const put = async (table: Table, tenantId: string, id: string, document: unknown, now: Date) => {
    const row = { tenant_id: tenantId, id, document: JSON.stringify(document), updated_at: millis(now) };
    await db
      .insertInto(table)
      .values(row)
      .onConflict((oc) =>
        oc.columns(["tenant_id", "id"]).doUpdateSet({ document: row.document, updated_at: row.updated_at }),
      )
      .execute();
  };
  const remove = async (table: Table, tenantId: string, id: string) =>
    (await db.deleteFrom(table).where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst())
      .numDeletedRows > 0n;
  return {
    listPolicies: (tenantId) => list("conditional_access_policies", tenantId),
    putPolicy: (tenantId, id, document, now) =>
      put("conditional_access_policies", tenantId, id, document, now),
    deletePolicy: (tenantId, id) => remove("conditional_access_policies", tenantId, id),
    listNamedLocations: (tenantId) => list("named_locations", tenantId),
    putNamedLocation: (tenantId, id, document, now) => put("named_locations", tenantId, id, document, now),
    deleteNamedLocation: (tenantId, id) => remove("named_locations", tenantId, id),
  };
}
