/**
 * federation's `IdentityProviderRepository` (migration 0081). A provider's settings are one JSON
 * document; its client secret is sealed with the key-encryption key (the additional data names
 * the provider, so a sealed secret moved to another row does not open).
 */
import {
  type FederatedIdentity,
  type IdentityProvider,
  IdentityProviderConflictError,
  type IdentityProviderRepository,
} from "../../federation/index.ts";
import { open, seal } from "../../shared/seal.ts";
import { changed, insertOrConflict, millis, type StoreContext, toDate } from "../lib/context.ts";

type Settings = Omit<IdentityProvider, "id" | "tenantId" | "createdAt" | "updatedAt">;

export function sqlIdentityProviderRepository(
  ctx: StoreContext,
  kek: Uint8Array | undefined,
): IdentityProviderRepository {
  const { db } = ctx;
  const needKek = () => {
    if (kek === undefined)
      throw new TypeError("openStore needs a keyEncryptionKey for identity provider secrets");
    return kek;
  };
  const aad = (id: string) => `hostpass idp secret ${id}`;
  const keyAad = (id: string) => `hostpass idp signing key ${id}`;
  const sealed = (id: string, secret: string | undefined) =>
    secret === undefined ? null : seal(Buffer.from(secret, "utf8"), needKek(), aad(id));
  const sealedKey = (id: string, key: string) => seal(Buffer.from(key, "utf8"), needKek(), keyAad(id));
  /** A sealed column of one provider, opened; undefined when empty. */
  const unsealed = async (
    tenantId: string,
    id: string,
    column: "sealed_secret" | "sealed_signing_key",
    additional: string,
  ): Promise<string | undefined> => {
    const r = await db
      .selectFrom("identity_providers")
      .select(column)
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .executeTakeFirst();
    const value = r?.[column];
    if (!value) return undefined;
    return Buffer.from(open(value, needKek(), additional)).toString("utf8");
  };
  const toProvider = (r: {
    id: string;
    tenant_id: string;
    settings: string;
    created_at: number;
    updated_at: number;
  }): IdentityProvider => ({
    ...(JSON.parse(r.settings) as Settings),
    id: r.id,
    tenantId: r.tenant_id,
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  });
  const settingsOf = (p: IdentityProvider): string => {
    const { id: _id, tenantId: _t, createdAt: _c, updatedAt: _u, ...settings } = p;
    return JSON.stringify(settings);
  };
  const toIdentity = (r: {
    tenant_id: string;
    provider_id: string;
    issuer: string;
    subject: string;
    principal_id: string;
    created_at: number;
  }): FederatedIdentity => ({
    tenantId: r.tenant_id,
    providerId: r.provider_id,
    issuer: r.issuer,
    subject: r.subject,
    principalId: r.principal_id,
    createdAt: toDate(r.created_at),
  });
  return {
    async insertIdentityProvider(p, secret, signingKey) {
      await insertOrConflict(
        ctx,
        () =>
          db
            .insertInto("identity_providers")
            .values({
              id: p.id,
              tenant_id: p.tenantId,
              name_key: p.name.toLowerCase(),
              settings: settingsOf(p),
              sealed_secret: sealed(p.id, secret),
              sealed_signing_key: signingKey === undefined ? null : sealedKey(p.id, signingKey),
              created_at: millis(p.createdAt),
              updated_at: millis(p.updatedAt),
            })
            .execute(),
        () => new IdentityProviderConflictError(`an identity provider named '${p.name}' exists`),
      );
    },
    async updateIdentityProvider(p, secret, signingKey) {
      const r = await insertOrConflict(
        ctx,
        () =>
          db
            .updateTable("identity_providers")
            .set({
              name_key: p.name.toLowerCase(),
              settings: settingsOf(p),
              updated_at: millis(p.updatedAt),
              ...(secret === undefined
                ? {}
                : { sealed_secret: secret === null ? null : sealed(p.id, secret) }),
              ...(signingKey === undefined ? {} : { sealed_signing_key: sealedKey(p.id, signingKey) }),
            })
            .where("tenant_id", "=", p.tenantId)
            .where("id", "=", p.id)
            .executeTakeFirst(),
        () => new IdentityProviderConflictError(`an identity provider named '${p.name}' exists`),
      );
      return changed(r);
    },
    async getIdentityProvider(tenantId, id) {
      const r = await db
        .selectFrom("identity_providers")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
      return r && toProvider(r);
    },
    async findIdentityProviderByName(tenantId, nameKey) {
      const r = await db
        .selectFrom("identity_providers")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("name_key", "=", nameKey)
        .executeTakeFirst();
      return r && toProvider(r);
    },
    async listIdentityProviders(tenantId) {
      const rows = await db
        .selectFrom("identity_providers")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("name_key")
        .execute();
      return rows.map(toProvider);
    },
    async listAllIdentityProviders() {
      const rows = await db
        .selectFrom("identity_providers as p")
        .innerJoin("tenants as t", "t.id", "p.tenant_id")
        .select([
          "p.id",
          "p.tenant_id",
          "p.settings",
          "p.created_at",
          "p.updated_at",
          "t.name as tenant_name",
          "t.display_name as tenant_display_name",
        ])
        .orderBy("t.name_key")
        .orderBy("p.name_key")
        .execute();
      return rows.map((r) => ({
        provider: toProvider(r),
        tenantName: r.tenant_name,
        tenantDisplayName: r.tenant_display_name,
      }));
    },
    getClientSecret: (tenantId, id) => unsealed(tenantId, id, "sealed_secret", aad(id)),
    getSigningKey: (tenantId, id) => unsealed(tenantId, id, "sealed_signing_key", keyAad(id)),
    async findIdentityProviderById(id) {
      const r = await db.selectFrom("identity_providers").selectAll().where("id", "=", id).executeTakeFirst();
      return r && toProvider(r);
    },
    async deleteIdentityProvider(tenantId, id) {
      return changed(
        await db
          .deleteFrom("identity_providers")
          .where("tenant_id", "=", tenantId)
          .where("id", "=", id)
          .executeTakeFirst(),
      );
    },
    async findFederatedIdentity(tenantId, issuer, subject) {
      const r = await db
        .selectFrom("federated_identities")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("issuer", "=", issuer)
        .where("subject", "=", subject)
        .executeTakeFirst();
      return r && toIdentity(r);
    },
    async insertFederatedIdentity(i) {
      await insertOrConflict(
        ctx,
        () =>
          db
            .insertInto("federated_identities")
            .values({
              tenant_id: i.tenantId,
              provider_id: i.providerId,
              issuer: i.issuer,
              subject: i.subject,
              principal_id: i.principalId,
              created_at: millis(i.createdAt),
            })
            .execute(),
        () => new IdentityProviderConflictError("this upstream identity is already bound"),
      );
    },
    async listFederatedIdentitiesOf(tenantId, principalId) {
      const rows = await db
        .selectFrom("federated_identities")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", principalId)
        .execute();
      return rows.map(toIdentity);
    },
    async listFederatedGroups(tenantId, providerId) {
      const rows = await db
        .selectFrom("federated_groups")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("provider_id", "=", providerId)
        .execute();
      return rows.map((r) => ({
        tenantId: r.tenant_id,
        providerId: r.provider_id,
        value: r.value,
        groupId: r.group_id,
      }));
    },
    async insertFederatedGroup(g) {
      await db
        .insertInto("federated_groups")
        .values({ provider_id: g.providerId, value: g.value, tenant_id: g.tenantId, group_id: g.groupId })
        .execute();
    },
  };
}
