/** The service-principal, credential and managed-identity part of the SQL DirectoryRepository. */
import {
  DirectoryConflictError,
  type DirectoryRepository,
  type ManagedIdentity,
  type ServicePrincipal,
} from "../../directory/index.ts";
import { changed, insertOrConflict, millis, type StoreContext, withTransaction } from "../lib/context.ts";
import {
  principalQuery,
  toCertificateCredential,
  toClientSecret,
  toPrincipal,
} from "../lib/directory-rows.ts";
import { insertPrincipal, recordPrincipal } from "./sql-directory-principal.ts";

type AppMethods = Pick<
  DirectoryRepository,
  | "insertServicePrincipal"
  | "findServicePrincipalByAppId"
  | "insertClientSecret"
  | "findClientSecretByHash"
  | "listClientSecrets"
  | "insertCertificateCredential"
  | "listCertificateCredentials"
  | "deleteCredential"
  | "insertManagedIdentity"
  | "findManagedIdentityByResource"
>;

export function sqlDirectoryAppMethods(ctx: StoreContext): AppMethods {
  const { db } = ctx;
  const conflict = (what: string) => () => new DirectoryConflictError(`${what} already exists`);
  return {
    async insertServicePrincipal(sp: ServicePrincipal) {
      await withTransaction(ctx, async (tx) => {
        await insertPrincipal(tx, sp, sp);
        await insertOrConflict(
          tx,
          () =>
            tx.db
              .insertInto("service_principals")
              .values({ principal_id: sp.id, tenant_id: sp.tenantId, app_id: sp.appId })
              .execute(),
          conflict("a service principal with this app id"),
        );
        await recordPrincipal(tx, sp);
      });
    },
    async findServicePrincipalByAppId(appId) {
      const r = await principalQuery(db).where("s.app_id", "=", appId).executeTakeFirst();
      const p = r && toPrincipal(r);
      return p?.kind === "servicePrincipal" ? p : undefined;
    },
    async insertClientSecret(s, hash) {
      await db
        .insertInto("client_secrets")
        .values({
          id: s.id,
          principal_id: s.principalId,
          tenant_id: s.tenantId,
          secret_hash: hash,
          hint: s.hint,
          expires_at: millis(s.expiresAt),
          created_at: millis(s.createdAt),
        })
        .execute();
    },
    async findClientSecretByHash(hash) {
      const r = await db
        .selectFrom("client_secrets")
        .selectAll()
        .where("secret_hash", "=", hash)
        .executeTakeFirst();
      return r && toClientSecret(r);
    },
    async listClientSecrets(tenantId, principalId) {
      const rows = await db
        .selectFrom("client_secrets")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", principalId)
        .orderBy("created_at")
        .execute();
      return rows.map(toClientSecret);
    },
    async insertCertificateCredential(c) {
      await insertOrConflict(
        ctx,
        () =>
          db
            .insertInto("certificate_credentials")
            .values({
              id: c.id,
              principal_id: c.principalId,
              tenant_id: c.tenantId,
              thumbprint: c.thumbprint,
              public_key_jwk: JSON.stringify(c.publicKeyJwk),
              expires_at: c.expiresAt ? millis(c.expiresAt) : null,
              created_at: millis(c.createdAt),
            })
            .execute(),
        conflict("this certificate credential"),
      );
    },
    async listCertificateCredentials(tenantId, principalId) {
      const rows = await db
        .selectFrom("certificate_credentials")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("principal_id", "=", principalId)
        .orderBy("created_at")
        .execute();
      return rows.map(toCertificateCredential);
    },
    async deleteCredential(tenantId, principalId, credentialId) {
      let total = false;
      for (const table of ["client_secrets", "certificate_credentials"] as const) {
        const r = await db
          .deleteFrom(table)
          .where("tenant_id", "=", tenantId)
          .where("principal_id", "=", principalId)
          .where("id", "=", credentialId)
          .executeTakeFirst();
        total ||= changed(r);
      }
      return total;
    },

    async insertManagedIdentity(mi: ManagedIdentity, resourceKey) {
      await withTransaction(ctx, async (tx) => {
        await insertPrincipal(tx, mi);
        await insertOrConflict(
          tx,
          () =>
            tx.db
              .insertInto("managed_identities")
              .values({
                principal_id: mi.id,
                tenant_id: mi.tenantId,
                resource_id: mi.resourceId,
                resource_key: resourceKey,
              })
              .execute(),
          conflict("an identity for this resource"),
        );
        await recordPrincipal(tx, mi);
      });
    },
    async findManagedIdentityByResource(resourceKey) {
      const r = await principalQuery(db).where("m.resource_key", "=", resourceKey).executeTakeFirst();
      const p = r && toPrincipal(r);
      return p?.kind === "managedIdentity" ? p : undefined;
    },
  };
}
