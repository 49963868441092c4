/**
 * Conditional access configuration (issue 4): policies and named locations per tenant, each a
 * validated JSON document (src/policy validates on write and again on read). Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  for (const name of ["conditional_access_policies", "named_locations"]) {
    await db.schema
      .createTable(name)
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("document", "text", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint(`${name}_pk`, ["tenant_id", "id"])
      .execute();
  }
}
