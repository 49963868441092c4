/**
 * A password that its holder must change at the next sign-in (issue 12): the bootstrap
 * administrator's generated one-time password, and passwords an administrator sets for someone
 * (Entra's `forceChangePasswordNextSignIn`). Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("password_change_required", "boolean", (c) => c.notNull().defaultTo(false))
    .execute();
}
