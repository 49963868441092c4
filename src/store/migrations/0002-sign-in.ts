/**
 * Sign-in, certificates and MFA (issue 4): oidc-provider artefacts, throttle counters, token-signing
 * keys, CA keys, the certificate ledger with its revocations, second factors and the sign-in log.
 * Portable DDL only, as in 0001. Forward-only: there is no `down`.
 *
 * Choices that matter:
 * - Certificate serials are `bigint` (signed 64-bit on both engines, and serials are at most
 *   2^63-1). The pg pool parses int8 to numbers and refuses unsafe ones, so the repository always
 *   reads serials through `cast(serial as text)`.
 * - Binary values (passkey public keys) are base64url text: SQLite has `blob`, PostgreSQL `bytea`.
 * - "One active key per purpose" is a partial unique index, so two replicas rotating at once
 *   cannot both activate a key.
 */
import { type CreateTableBuilder, type Kysely, sql } from "kysely";

type Table = CreateTableBuilder<string, string>;

const MILLIS = "bigint";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const table = (name: string): Table => db.schema.createTable(name) as unknown as Table;
  const index = (name: string, on: string, columns: string[], unique = false) => {
    const b = db.schema.createIndex(name).on(on).columns(columns);
    return (unique ? b.unique() : b).execute();
  };

  await table("oidc_entries")
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("grant_id", "text")
    .addColumn("user_code", "text")
    .addColumn("uid", "text")
    .addColumn("consumed_at", MILLIS)
    .addColumn("expires_at", MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint("oidc_entries_pk", ["model", "id"])
    .execute();
  await index("oidc_entries_grant", "oidc_entries", ["model", "grant_id"]);
  await index("oidc_entries_user_code", "oidc_entries", ["model", "user_code"]);
  await index("oidc_entries_uid", "oidc_entries", ["model", "uid"]);
  await index("oidc_entries_expiry", "oidc_entries", ["expires_at"]);

  await table("throttle_entries")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("expires_at", MILLIS, (c) => c.notNull())
    .execute();
  await index("throttle_entries_expiry", "throttle_entries", ["expires_at"]);

  await table("signing_keys")
    .addColumn("kid", "text", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("sealed_jwk", "text", (c) => c.notNull())
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addColumn("updated_at", MILLIS, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("signing_keys_one_active")
    .on("signing_keys")
    .column("status")
    .unique()
    .where(sql.ref("status"), "=", "active")
    .execute();

  await table("ca_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("sealed_private_key", "text", (c) => c.notNull())
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addColumn("state_changed_at", MILLIS, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("ca_keys_one_active")
    .on("ca_keys")
    .column("purpose")
    .unique()
    .where(sql.ref("state"), "=", "active")
    .execute();

  await table("ssh_certificates")
    .addColumn("serial", "bigint", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("object_id", "text", (c) => c.notNull())
    .addColumn("principal", "text", (c) => c.notNull())
    .addColumn("key_id", "text", (c) => c.notNull())
    .addColumn("key_fingerprint", "text", (c) => c.notNull())
    .addColumn("ca_key_id", "text", (c) => c.notNull())
    .addColumn("valid_after", MILLIS, (c) => c.notNull())
    .addColumn("valid_before", MILLIS, (c) => c.notNull())
    .addColumn("token_id", "text", (c) => c.notNull())
    .addColumn("policies", "text", (c) => c.notNull())
    .addColumn("issued_at", MILLIS, (c) => c.notNull())
    .addColumn("revoked_at", MILLIS)
    .addColumn("revocation_reason", "text")
    .execute();
  await index("ssh_certificates_tenant_time", "ssh_certificates", ["tenant_id", "issued_at", "serial"]);
  await index("ssh_certificates_object", "ssh_certificates", ["tenant_id", "object_id", "issued_at"]);
  await index("ssh_certificates_principal", "ssh_certificates", ["tenant_id", "principal", "issued_at"]);
  await index("ssh_certificates_revoked", "ssh_certificates", ["revoked_at", "valid_before"]);
  await table("ssh_revoked_key_ids")
    .addColumn("key_id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("revoked_at", MILLIS, (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .execute();

  await table("mfa_totp")
    .addColumn("principal_id", "text", (c) => c.primaryKey().references("principals.id").onDelete("cascade"))
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("sealed_secret", "text", (c) => c.notNull())
    .addColumn("last_used_step", "bigint")
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addColumn("updated_at", MILLIS, (c) => c.notNull())
    .execute();
  await table("mfa_passkeys")
    // Unique across all tenants: the sign-in page finds the owner by credential id alone.
    .addColumn("credential_id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("principal_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("public_key", "text", (c) => c.notNull())
    .addColumn("counter", "bigint", (c) => c.notNull())
    .addColumn("transports", "text", (c) => c.notNull())
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addColumn("last_used_at", MILLIS)
    .execute();
  await index("mfa_passkeys_principal", "mfa_passkeys", ["principal_id", "created_at"]);

  await table("sign_in_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("time", MILLIS, (c) => c.notNull())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("principal_id", "text")
    .addColumn("principal_name", "text")
    .addColumn("principal_kind", "text")
    .addColumn("app_id", "text")
    .addColumn("resource", "text")
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("user_agent", "text", (c) => c.notNull())
    .addColumn("device_id", "text")
    .addColumn("result", "text", (c) => c.notNull())
    .addColumn("failure_reason", "text")
    .addColumn("mfa_method", "text")
    .addColumn("policies", "text", (c) => c.notNull())
    .addColumn("correlation_id", "text", (c) => c.notNull())
    .execute();
  await index("sign_in_events_tenant_time", "sign_in_events", ["tenant_id", "time", "id"]);
  await index("sign_in_events_principal", "sign_in_events", ["tenant_id", "principal_id", "time"]);
  await index("sign_in_events_result", "sign_in_events", ["tenant_id", "result", "time"]);
  await index("sign_in_events_ip", "sign_in_events", ["tenant_id", "ip", "time"]);
}
