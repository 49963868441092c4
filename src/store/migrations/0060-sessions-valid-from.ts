/**
 * Sign-in sessions that end (issue 11): per principal, the time before which every token it was
 * issued is void (`signInSessionsValidFromDateTime` in Entra ID). Disabling a principal and an
 * administrator's "revoke sessions" move it to now; it never moves back, so re-enabling a principal
 * brings no old token back. 0 = never revoked. Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("principals")
    .addColumn("sessions_valid_from", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
}
