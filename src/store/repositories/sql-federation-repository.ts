/** federation's `FederationRepository` (migration 0080): SCIM tokens and SCIM attributes. */
import type { FederationRepository, ScimObject, ScimTokenRecord } from "../../federation/index.ts";
import { changed, millis, type StoreContext, toDate } from "../lib/context.ts";

export function sqlFederationRepository(ctx: StoreContext): FederationRepository {
  const { db } = ctx;
  const toToken = (r: {
    id: string;
    tenant_id: string;
    hint: string;
    created_at: number;
  }): ScimTokenRecord => ({
    id: r.id,
    tenantId: r.tenant_id,
    hint: r.hint,
    createdAt: toDate(r.created_at),
  });
  return {
    async putScimToken(record, hash) {
      const row = {
        tenant_id: record.tenantId,
        id: record.id,
        token_hash: hash,
        hint: record.hint,
        created_at: millis(record.createdAt),
      };
      await db
        .insertInto("scim_tokens")
        .values(row)
        .onConflict((oc) =>
          oc.column("tenant_id").doUpdateSet({
            id: row.id,
            token_hash: row.token_hash,
            hint: row.hint,
            created_at: row.created_at,
          }),
        )
        .execute();
    },
    async getScimToken(tenantId) {
      const r = await db
        .selectFrom("scim_tokens")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .executeTakeFirst();
      return r && toToken(r);
    },
    async findScimTokenByHash(hash) {
      const r = await db
        .selectFrom("scim_tokens")
        .selectAll()
        .where("token_hash", "=", hash)
        .executeTakeFirst();
      return r && toToken(r);
    },
    async deleteScimToken(tenantId) {
      return changed(await db.deleteFrom("scim_tokens").where("tenant_id", "=", tenantId).executeTakeFirst());
    },
    async getScimObjects(tenantId, principalIds) {
      if (principalIds.length === 0) return [];
      const out: ScimObject[] = [];
      // Bounded IN lists (SQLite's parameter limit).
      for (let i = 0; i < principalIds.length; i += 500) {
        const rows = await db
          .selectFrom("scim_objects")
          .selectAll()
          .where("tenant_id", "=", tenantId)
          .where("principal_id", "in", principalIds.slice(i, i + 500))
          .execute();
        for (const r of rows)
          out.push({
            principalId: r.principal_id,
            tenantId: r.tenant_id,
            resourceType: r.resource_type,
            externalId: r.external_id ?? undefined,
            attributes: JSON.parse(r.attributes) as Record<string, unknown>,
            version: Number(r.version),
            updatedAt: toDate(r.updated_at),
          });
      }
      return out;
    },
    async putScimObject(object) {
      const row = {
        principal_id: object.principalId,
        tenant_id: object.tenantId,
        resource_type: object.resourceType,
        external_id: object.externalId ?? null,
        attributes: JSON.stringify(object.attributes),
        version: object.version,
        updated_at: millis(object.updatedAt),
      };
      await db
        .insertInto("scim_objects")
        .values(row)
        .onConflict((oc) =>
          oc.column("principal_id").doUpdateSet({
            external_id: row.external_id,
            attributes: row.attributes,
            version: row.version,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },
    async getRedirectUris(tenantId, principalId) {
      const r = await db
        .selectFrom("app_redirect_uris")
        .select("uris")
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", principalId)
        .executeTakeFirst();
      return r ? (JSON.parse(r.uris) as string[]) : [];
    },
    async setRedirectUris(tenantId, principalId, uris) {
      await db
        .deleteFrom("app_redirect_uris")
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", principalId)
        .execute();
      if (uris.length > 0)
        await db
          .insertInto("app_redirect_uris")
          .values({ principal_id: principalId, tenant_id: tenantId, uris: JSON.stringify(uris) })
          .execute();
    },
    async findByExternalId(tenantId, resourceType, externalId) {
      const rows = await db
        .selectFrom("scim_objects")
        .select("principal_id")
        .where("tenant_id", "=", tenantId)
        .where("resource_type", "=", resourceType)
        .where("external_id", "=", externalId)
        .execute();
      return rows.map((r) => r.principal_id);
    },
  };
}
