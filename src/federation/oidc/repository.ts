/** Storage of upstream providers and bindings (migration 0081); `store/` implements it. */
import type { FederatedGroup, FederatedIdentity, IdentityProvider, TenantIdentityProvider } from "./types.ts";

export interface IdentityProviderRepository {
  /** Fails with `IdentityProviderConflictError` when the name is taken in the tenant. */
  /** `signingKey`: the private JWK (JSON) of private_key_jwt, kept sealed. */
  insertIdentityProvider(
    provider: IdentityProvider,
    clientSecret: string | undefined,
    signingKey?: string,
  ): Promise<void>;
  /** `clientSecret`: undefined keeps the stored one, null removes it; `signingKey`: undefined keeps it. */
  updateIdentityProvider(
    provider: IdentityProvider,
    clientSecret: string | null | undefined,
    signingKey?: string,
  ): Promise<boolean>;
  /** The private JWK (JSON) of private_key_jwt, unsealed; undefined when none was made. */
  getSigningKey(tenantId: string, id: string): Promise<string | undefined>;
  /** By id alone (ids are UUIDs): the public key set's route knows no tenant. */
  findIdentityProviderById(id: string): Promise<IdentityProvider | undefined>;
  getIdentityProvider(tenantId: string, id: string): Promise<IdentityProvider | undefined>;
  findIdentityProviderByName(tenantId: string, nameKey: string): Promise<IdentityProvider | undefined>;
  listIdentityProviders(tenantId: string): Promise<readonly IdentityProvider[]>;
  /**
   * Every tenant's providers (enabled or not) with their tenant's names, in one query: what the
   * sign-in page offers, which knows no tenant. Ordered by tenant name, then provider name.
   */
  listAllIdentityProviders(): Promise<readonly TenantIdentityProvider[]>;
  /** The client secret in clear (unsealed with the key-encryption key); undefined when none. */
  getClientSecret(tenantId: string, id: string): Promise<string | undefined>;
  /** Removes the provider with its bindings and group links (the users and groups stay). */
  deleteIdentityProvider(tenantId: string, id: string): Promise<boolean>;

  findFederatedIdentity(
    tenantId: string,
    issuer: string,
    subject: string,
  ): Promise<FederatedIdentity | undefined>;
  insertFederatedIdentity(identity: FederatedIdentity): Promise<void>;
  /** The bindings of one principal (to tell a local account from a federated one). */
  listFederatedIdentitiesOf(tenantId: string, principalId: string): Promise<readonly FederatedIdentity[]>;

  listFederatedGroups(tenantId: string, providerId: string): Promise<readonly FederatedGroup[]>;
  insertFederatedGroup(group: FederatedGroup): Promise<void>;
}
