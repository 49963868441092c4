/**
 * The host channel (issue 7): one-time join codes (stored hashed, bound to a machine) and the host
 * agents' credentials (one per machine, the public key the agent registered with a code).
 * Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("join_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("machine_key", "text", (c) => c.notNull())
    .addColumn("machine_id", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .execute();
  await db.schema.createIndex("join_codes_expiry").on("join_codes").column("expires_at").execute();
  await db.schema
    .createTable("agent_credentials")
    .addColumn("client_id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("machine_key", "text", (c) => c.notNull().unique())
    .addColumn("machine_id", "text", (c) => c.notNull())
    .addColumn("identity_id", "text", (c) => c.notNull())
    .addColumn("public_key_jwk", "text", (c) => c.notNull())
    .addColumn("thumbprint", "text", (c) => c.notNull())
    .addColumn("host_keys", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}
