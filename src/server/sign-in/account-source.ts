/**
 * The authorization server's view of the directory (auth's `AccountSource`): users by object id,
 * service principals by app id. Read on every request, so a disabled or deleted principal stops
 * getting anything new at once.
 */
import type { AccountRecord, AccountSource, ServicePrincipalRecord } from "../../auth/index.ts";
import {
  type AgentRepository,
  type DirectoryRepository,
  InvalidCredentialsError,
  verifyClientSecret,
} from "../../directory/index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const validFrom = (at: Date | undefined) => (at === undefined ? {} : { sessionsValidFrom: at.getTime() });

/** Redirect URIs of applications that sign users in through hostpass (federation's store). */
export type RedirectUrisOf = (tenantId: string, principalId: string) => Promise<readonly string[]>;

/**
 * Every tenant of the store signs in: a principal's tenant is found from its id (ids are unique
 * across tenants). `_home` is kept for the call shape (the home tenant is the bootstrap tenant).
 */
export function directoryAccountSource(
  directory: DirectoryRepository,
  _home: () => readonly string[],
  now: () => Date = () => new Date(),
  agents?: Pick<AgentRepository, "findCredential">,
  redirectUrisOf?: RedirectUrisOf,
): AccountSource {
  /**
   * A host agent (directory/agent-credentials.ts): its client id names its machine's credential;
   * it authenticates with its own key only (private_key_jwt) and acts as the machine's managed
   * identity, which must exist and be enabled.
   */
  const agentClient = async (clientId: string): Promise<ServicePrincipalRecord | undefined> => {
    const credential = await agents?.findCredential(clientId);
    if (credential === undefined) return undefined;
    const identity = await directory.getPrincipal(credential.tenantId, credential.identityId);
    if (identity?.kind !== "managedIdentity") return undefined;
    return {
      appId: credential.clientId,
      objectId: identity.id,
      tenantId: identity.tenantId,
      displayName: identity.displayName,
      enabled: identity.enabled,
      hasClientSecret: false,
      certificateJwks: [{ ...credential.publicKeyJwk, kid: credential.thumbprint }],
      ...validFrom(identity.sessionsValidFrom),
    };
  };
  return {
    async findAccount(accountId) {
      if (typeof accountId !== "string" || !UUID.test(accountId)) return undefined;
      const id = accountId.toLowerCase();
      const tenantId = await directory.findTenantOfPrincipal(id);
      if (tenantId !== undefined) {
        const found = await directory.getPrincipal(tenantId, id);
        if (found?.kind !== "user") return undefined;
        const claims = { name: found.displayName, preferred_username: found.upn };
        const record: AccountRecord = {
          id: found.id,
          tenantId,
          enabled: found.enabled,
          claims,
          ...validFrom(found.sessionsValidFrom),
          groups: async () => {
            const ids = await directory.listTransitiveGroups(tenantId, found.id);
            const groups = await directory.getPrincipals(tenantId, ids);
            return groups
              .filter((g) => g.kind === "group")
              .map((g) => g.displayName)
              .sort();
          },
        };
        return record;
      }
      return undefined;
    },
    async findServicePrincipal(appId) {
      if (typeof appId !== "string" || !UUID.test(appId)) return undefined;
      const sp = await directory.findServicePrincipalByAppId(appId.toLowerCase());
      if (sp === undefined) return agentClient(appId.toLowerCase());
      const at = now().getTime();
      const [secrets, certificates, redirectUris] = await Promise.all([
        directory.listClientSecrets(sp.tenantId, sp.id),
        directory.listCertificateCredentials(sp.tenantId, sp.id),
        redirectUrisOf ? redirectUrisOf(sp.tenantId, sp.id) : [],
      ]);
      const record: ServicePrincipalRecord = {
        appId: sp.appId,
        objectId: sp.id,
        tenantId: sp.tenantId,
        displayName: sp.displayName,
        enabled: sp.enabled,
        hasClientSecret: secrets.some((s) => s.expiresAt.getTime() > at),
        certificateJwks: certificates
          .filter((c) => c.expiresAt === undefined || c.expiresAt.getTime() > at)
          .map((c) => ({ ...c.publicKeyJwk, kid: c.thumbprint })),
        ...validFrom(sp.sessionsValidFrom),
        ...(redirectUris.length > 0 ? { redirectUris } : {}),
      };
      return record;
    },
    async verifyClientSecret(appId, secret) {
      try {
        await verifyClientSecret(directory, { appId, secret, now });
        return true;
      } catch (error) {
        if (error instanceof InvalidCredentialsError) return false;
        throw error;
      }
    },
  };
}
