/**
 * A machine's local (break-glass) administrator key (`vm create --generate-ssh-keys` /
 * `--ssh-key-values`): what the host agent or local provider puts in that account's
 * authorized_keys. Nullable: directory login needs no admin key. Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("virtual_machines").addColumn("admin_ssh_public_key", "text").execute();
}
