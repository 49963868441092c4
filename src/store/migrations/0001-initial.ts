/**
 * The first schema. Portable DDL only (text, bigint, boolean, integer): the same statements run
 * on SQLite and PostgreSQL. Migrations are forward-only: there is no `down`.
 */
import type { CreateTableBuilder, Kysely } from "kysely";

type Table = CreateTableBuilder<string, string>;

const MILLIS = "bigint";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  const table = (name: string): Table => db.schema.createTable(name) as unknown as Table;
  const index = (name: string, on: string, columns: string[], unique = false) => {
    const b = db.schema.createIndex(name).on(on).columns(columns);
    return (unique ? b.unique() : b).execute();
  };

  await table("tenants")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_key", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("next_uid", "bigint", (c) => c.notNull())
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .execute();

  await table("principals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("enabled", "boolean", (c) => c.notNull())
    .addColumn("linux_name", "text")
    .addColumn("uid", "bigint")
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addUniqueConstraint("principals_linux_name", ["tenant_id", "linux_name"])
    .addUniqueConstraint("principals_uid", ["tenant_id", "uid"])
    .execute();
  await index("principals_tenant_kind", "principals", ["tenant_id", "kind", "id"]);

  const child = (name: string): Table =>
    table(name)
      .addColumn("principal_id", "text", (c) =>
        c.primaryKey().references("principals.id").onDelete("cascade"),
      )
      .addColumn("tenant_id", "text", (c) => c.notNull());

  await child("users")
    .addColumn("upn", "text", (c) => c.notNull())
    .addColumn("upn_key", "text", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addUniqueConstraint("users_upn", ["tenant_id", "upn_key"])
    .execute();
  await child("groups")
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await table("group_members")
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("group_id", "text", (c) => c.notNull().references("groups.principal_id").onDelete("cascade"))
    .addColumn("member_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint("group_members_pk", ["group_id", "member_id"])
    .execute();
  await index("group_members_member", "group_members", ["member_id"]);

  await child("service_principals")
    .addColumn("app_id", "text", (c) => c.notNull().unique())
    .execute();
  const credential = (name: string): Table =>
    table(name)
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("principal_id", "text", (c) =>
        c.notNull().references("service_principals.principal_id").onDelete("cascade"),
      )
      .addColumn("tenant_id", "text", (c) => c.notNull());
  await credential("client_secrets")
    .addColumn("secret_hash", "text", (c) => c.notNull().unique())
    .addColumn("hint", "text", (c) => c.notNull())
    .addColumn("expires_at", MILLIS, (c) => c.notNull())
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .execute();
  await index("client_secrets_principal", "client_secrets", ["principal_id"]);
  await credential("certificate_credentials")
    .addColumn("thumbprint", "text", (c) => c.notNull())
    .addColumn("public_key_jwk", "text", (c) => c.notNull())
    .addColumn("expires_at", MILLIS)
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addUniqueConstraint("certificate_credentials_thumbprint", ["principal_id", "thumbprint"])
    .execute();

  await child("managed_identities")
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("resource_key", "text", (c) => c.notNull().unique())
    .execute();

  await table("devices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("owner_id", "text", (c) => c.references("principals.id").onDelete("set null"))
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("platform", "text", (c) => c.notNull())
    .addColumn("key_thumbprint", "text", (c) => c.notNull())
    .addColumn("key_jwk", "text")
    .addColumn("compliant", "boolean", (c) => c.notNull())
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addColumn("updated_at", MILLIS, (c) => c.notNull())
    .addUniqueConstraint("devices_key", ["tenant_id", "key_thumbprint"])
    .execute();

  await table("resources")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("parent_key", "text", (c) => c.references("resources.key"))
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("location", "text", (c) => c.notNull())
    .addColumn("tags", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", MILLIS, (c) => c.notNull())
    .addColumn("updated_at", MILLIS, (c) => c.notNull())
    .execute();
  await index("resources_parent", "resources", ["parent_key", "key"]);
  await index("resources_tenant_kind", "resources", ["tenant_id", "kind", "key"]);

  await table("virtual_machines")
    .addColumn("resource_key", "text", (c) => c.primaryKey().references("resources.key").onDelete("cascade"))
    .addColumn("image", "text", (c) => c.notNull())
    .addColumn("admin_username", "text", (c) => c.notNull())
    .addColumn("size", "text", (c) => c.notNull())
    .addColumn("identity_principal_id", "text", (c) => c.references("principals.id").onDelete("set null"))
    .addColumn("agent_status", "text", (c) => c.notNull())
    .addColumn("last_heartbeat_at", MILLIS)
    .addColumn("model_version", "integer", (c) => c.notNull())
    .execute();
  await table("network_interfaces")
    .addColumn("resource_key", "text", (c) =>
      c.notNull().references("virtual_machines.resource_key").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("private_ip", "text")
    .addColumn("public_ip", "text")
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("network_interfaces_pk", ["resource_key", "name"])
    .execute();
  await index("network_interfaces_private_ip", "network_interfaces", ["private_ip"]);
  await index("network_interfaces_public_ip", "network_interfaces", ["public_ip"]);
  await table("vm_extensions")
    .addColumn("resource_key", "text", (c) =>
      c.notNull().references("virtual_machines.resource_key").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("publisher", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("version", "text", (c) => c.notNull())
    .addColumn("provisioning_state", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("updated_at", MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint("vm_extensions_pk", ["resource_key", "name"])
    .execute();

  await table("audit_events")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("id", "text", (c) => c.notNull().unique())
    .addColumn("time", MILLIS, (c) => c.notNull())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("target_key", "text", (c) => c.notNull())
    .addColumn("result", "text", (c) => c.notNull())
    .addColumn("correlation_id", "text", (c) => c.notNull())
    .addColumn("details", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await index("audit_events_tenant_time", "audit_events", ["tenant_id", "time", "seq"]);
  await index("audit_events_actor", "audit_events", ["tenant_id", "actor", "seq"]);
  await index("audit_events_target", "audit_events", ["tenant_id", "target_key", "seq"]);
  await table("audit_head")
    .addColumn("chain", "text", (c) => c.primaryKey())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  // The genesis head: the first event links to 64 zeros.
  await db
    .insertInto("audit_head")
    .values({ chain: "activity", seq: 0, hash: "0".repeat(64) })
    .execute();

  await table("role_definitions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_key", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("assignable_scopes", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addUniqueConstraint("role_definitions_name", ["tenant_id", "name_key"])
    .execute();
  await table("role_assignments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("role_definition_id", "text", (c) => c.notNull())
    .addColumn("principal_id", "text", (c) => c.notNull())
    .addColumn("principal_type", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("scope_key", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addUniqueConstraint("role_assignments_unique", [
      "tenant_id",
      "role_definition_id",
      "principal_id",
      "scope_key",
    ])
    .execute();
  await index("role_assignments_tenant_id", "role_assignments", ["tenant_id", "id"]);
  await index("role_assignments_principal", "role_assignments", ["tenant_id", "principal_id"]);
  await index("role_assignments_scope", "role_assignments", ["tenant_id", "scope_key"]);
  await table("rbac_versions")
    .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
    .addColumn("version", "bigint", (c) => c.notNull())
    .execute();
  await table("rbac_changes")
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("version", "bigint", (c) => c.notNull())
    .addColumn("change", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("rbac_changes_pk", ["tenant_id", "version"])
    .execute();
}
