/**
 * private_key_jwt to an upstream provider (issue 13): the key hostpass signs its client assertions
 * with, per provider, sealed with the key-encryption key (its public half is in the settings).
 * Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("identity_providers").addColumn("sealed_signing_key", "text").execute();
}
