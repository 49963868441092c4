/**
 * Web sign-in clients (issue 13: hostpass as the OpenID Connect provider of another service): the
 * redirect URIs of a service principal that signs users in with the authorization code flow.
 * Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("app_redirect_uris")
    .addColumn("principal_id", "text", (c) => c.primaryKey().references("principals.id").onDelete("cascade"))
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("uris", "text", (c) => c.notNull())
    .execute();
}
