/**
 * Upstream OpenID Connect providers (issue 13): per tenant, their settings (the client secret
 * sealed with the key-encryption key), the bindings of hostpass users to an upstream (issuer,
 * subject), and the hostpass groups that stand for a provider's group claim values.
 * Forward-only.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations must not depend on today's schema types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("identity_providers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id").onDelete("cascade"))
    .addColumn("name_key", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("sealed_secret", "text")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("identity_providers_name", ["tenant_id", "name_key"])
    .execute();
  await db.schema
    .createTable("federated_identities")
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("issuer", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("provider_id", "text", (c) =>
      c.notNull().references("identity_providers.id").onDelete("cascade"),
    )
    .addColumn("principal_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("federated_identities_pk", ["tenant_id", "issuer", "subject"])
    .execute();
  await db.schema
    .createIndex("federated_identities_principal")
    .on("federated_identities")
    .columns(["principal_id"])
    .execute();
  await db.schema
    .createTable("federated_groups")
    .addColumn("provider_id", "text", (c) =>
      c.notNull().references("identity_providers.id").onDelete("cascade"),
    )
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("group_id", "text", (c) => c.notNull().references("principals.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("federated_groups_pk", ["provider_id", "value"])
    .execute();
}
