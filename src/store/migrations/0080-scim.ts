/**
 * SCIM provisioning (issue 13, src/federation): one bearer token per tenant (only its SHA-256 is
 * stored; a new one replaces the old) and, per user or group a SCIM client wrote, the attributes
 * hostpass keeps for it but has no column of its own for (externalId, name, emails, ...).
 * Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scim_tokens")
    .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id").onDelete("cascade"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("hint", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("scim_objects")
    .addColumn("principal_id", "text", (c) => c.primaryKey().references("principals.id").onDelete("cascade"))
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("resource_type", "text", (c) => c.notNull())
    .addColumn("external_id", "text")
    .addColumn("attributes", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("scim_objects_external_id")
    .on("scim_objects")
    .columns(["tenant_id", "resource_type", "external_id"])
    .execute();
}
