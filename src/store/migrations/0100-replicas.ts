/**
 * Several replicas on one database (issue 10 item 4): what each server process used to keep in
 * its own memory moves into the store.
 *
 * - `portal_state`: the portal's short-lived server-side state (sign-in flows, WebAuthn
 *   challenges, pending OAuth requests, portal sessions and their API tokens), keyed by the random
 *   id a cookie names. `kind` is the key's prefix: pending (unauthenticated) kinds are bounded in
 *   number, sessions are not evicted by them. Expiry is checked on every read against the caller's
 *   clock and swept in the background.
 * - `server_secrets`: installation-wide secrets every replica must share (cookie and CSRF keys),
 *   sealed with the key-encryption key like CA keys. The first replica to start creates them.
 *
 * - `users_upn_key`: every tenant signs in, so a password sign-in finds the UPN's tenant by the
 *   UPN alone (the unique index leads with the tenant).
 *
 * Attempt limits share `throttle_entries` (0002), the table oidc-provider's throttles already use.
 * Portable DDL only. Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("portal_state")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("portal_state_kind")
    .on("portal_state")
    .columns(["kind", "expires_at"])
    .execute();
  await db.schema.createIndex("portal_state_expiry").on("portal_state").columns(["expires_at"]).execute();
  await db.schema.createIndex("users_upn_key").on("users").columns(["upn_key"]).execute();
  await db.schema
    .createTable("server_secrets")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
}
