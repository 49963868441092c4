/**
 * One change log for everything a login depends on (shared/change-log.ts), replacing RBAC's own
 * feed: `rbac_versions` becomes `change_heads` and `rbac_changes` becomes `change_log` (with the
 * kind in a column of its own), then the two old tables are dropped, so there is one mechanism.
 * Forward-only.
 */
import type { Kysely } from "kysely";

const COPY_BATCH = 2000;

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("change_heads")
    .addColumn("tenant_id", "text", (c) => c.primaryKey())
    .addColumn("version", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("change_log")
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("change_log_pk", ["tenant_id", "version"])
    .execute();

  await db
    .insertInto("change_heads")
    .columns(["tenant_id", "version"])
    .expression(db.selectFrom("rbac_versions").select(["tenant_id", "version"]))
    .execute();
  // The kind lives inside the JSON on the old table; copied in batches (a store may hold many).
  let after: { tenant: string; version: number } | undefined;
  for (;;) {
    let q = db.selectFrom("rbac_changes").select(["tenant_id", "version", "change"]);
    if (after !== undefined) {
      const { tenant, version } = after;
      q = q.where((eb) =>
        eb.or([
          eb("tenant_id", ">", tenant),
          eb.and([eb("tenant_id", "=", tenant), eb("version", ">", version)]),
        ]),
      );
    }
    const rows = (await q.orderBy("tenant_id").orderBy("version").limit(COPY_BATCH).execute()) as {
      tenant_id: string;
      version: number | string;
      change: string;
    }[];
    if (rows.length === 0) break;
    await db
      .insertInto("change_log")
      .values(
        rows.map((r) => {
          const { kind, ...body } = JSON.parse(r.change) as { kind: string };
          return { tenant_id: r.tenant_id, version: r.version, kind, body: JSON.stringify(body), at: 0 };
        }),
      )
      .execute();
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = { tenant: last.tenant_id, version: Number(last.version) };
  }
  await db.schema.dropTable("rbac_changes").execute();
  await db.schema.dropTable("rbac_versions").execute();
}
