/**
 * The portal's federated sign-in over the store (issue 13): which providers the sign-in page
 * offers, the round trip to the provider (upstream-oidc.ts), and what the verified sign-in becomes
 * (federation's `signInFederated`, in one transaction with its activity-log event).
 */
import { randomUUID } from "node:crypto";
import { appendAuditEvent } from "../../audit/index.ts";
import {
  FederatedSignInFailedError,
  type IdentityProvider,
  IdentityProviderNotFoundError,
  type IdentityProviderRepository,
  signInFederated,
} from "../../federation/index.ts";
import type { SignInBackend } from "../../portal/index.ts";
import type { ChangeRepositories } from "../deps.ts";
import {
  type ClientCredentials,
  type PendingUpstream,
  type UpstreamClient,
  upstreamClient,
} from "./upstream-oidc.ts";

export interface FederatedSignInDeps {
  readonly providers: IdentityProviderRepository;
  /** A change's transaction (tenant lock, change log, activity log), as the API's `inChange` uses. */
  readonly transaction: <T>(tenantId: string, work: (tx: ChangeRepositories) => Promise<T>) => Promise<T>;
  readonly upstream?: UpstreamClient;
  readonly now?: () => Date;
}

type Methods = Required<
  Pick<SignInBackend, "listIdentityProviders" | "startFederatedSignIn" | "finishFederatedSignIn">
>;

/** The round trip's record: the provider and its tenant it was made for, with state, nonce, PKCE. */
interface Pending extends PendingUpstream {
  readonly tenantId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The tenant of an upstream provider by its id (as the sign-in URL names it), for the sign-in log. */
export function tenantOfIdentityProvider(
  providers: IdentityProviderRepository,
): (id: string) => Promise<string | undefined> {
  return async (id) => (UUID.test(id) ? (await providers.findIdentityProviderById(id))?.tenantId : undefined);
}

export function federatedSignInMethods(deps: FederatedSignInDeps): Methods {
  const upstream = deps.upstream ?? upstreamClient();
  const now = deps.now ?? (() => new Date());
  /**
   * The provider by its id (ids are unique across tenants), when it is enabled and its tenant
   * exists (a tenant's deletion takes its providers with it: identity_providers cascades).
   */
  const enabledProvider = async (id: string): Promise<IdentityProvider | undefined> => {
    if (!UUID.test(id)) return undefined;
    const found = await deps.providers.findIdentityProviderById(id);
    return found?.enabled ? found : undefined;
  };
  /** What the token endpoint gets: the secret, or the private_key_jwt key (never both are needed). */
  const credentialsOf = async (provider: IdentityProvider): Promise<ClientCredentials> => {
    const [secret, signingKey] = await Promise.all([
      deps.providers.getClientSecret(provider.tenantId, provider.id),
      provider.clientAuth === "private_key_jwt"
        ? deps.providers.getSigningKey(provider.tenantId, provider.id)
        : undefined,
    ]);
    return {
      ...(secret === undefined ? {} : { secret }),
      ...(signingKey === undefined ? {} : { signingKey }),
    };
  };
  return {
    async listIdentityProviders() {
      // Every tenant's enabled providers, one query; the tenant is named when more than one has any.
      const enabled = (await deps.providers.listAllIdentityProviders()).filter((p) => p.provider.enabled);
      const manyTenants = new Set(enabled.map((p) => p.provider.tenantId)).size > 1;
      return enabled.map(({ provider, tenantName, tenantDisplayName }) => ({
        id: provider.id,
        name: provider.name,
        displayName: provider.displayName,
        ...(manyTenants ? { tenant: { name: tenantName, displayName: tenantDisplayName } } : {}),
      }));
    },
    async startFederatedSignIn(providerId, redirectUri) {
      const provider = await enabledProvider(providerId);
      if (!provider) throw new IdentityProviderNotFoundError("this identity provider is not available");
      const { url, pending } = await upstream.start(provider, await credentialsOf(provider), redirectUri);
      return {
        url,
        pending: JSON.stringify({ ...pending, tenantId: provider.tenantId } satisfies Pending),
      };
    },
    async finishFederatedSignIn(providerId, pendingText, callbackUrl) {
      const pending = JSON.parse(pendingText) as Pending;
      // The answer comes back to the callback of the provider it claims: the round trip (state,
      // nonce, PKCE verifier) must have been made for that provider, of that tenant.
      if (pending.providerId !== providerId)
        throw new FederatedSignInFailedError(
          "this answer came back to another identity provider's address than the one the sign-in started at",
        );
      const provider = await enabledProvider(providerId);
      if (!provider || provider.tenantId !== pending.tenantId)
        throw new FederatedSignInFailedError("this identity provider is no longer available");
      const claims = await upstream.finish(
        provider,
        await credentialsOf(provider),
        new URL(callbackUrl),
        pending,
      );
      const at = now();
      const result = await deps.transaction(provider.tenantId, async (tx) => {
        if (!tx.identityProviders || !tx.federation)
          throw new TypeError("the store has no identity provider or federation repository");
        const r = await signInFederated(
          { directory: tx.directory, providers: tx.identityProviders, federation: tx.federation },
          provider,
          claims,
          at,
        );
        if (r.created || r.boundByExternalId || r.groups.length > 0) {
          await appendAuditEvent(tx.audit, {
            tenantId: provider.tenantId,
            actor: r.user.id,
            action: r.created
              ? "Directory/users/federatedCreate/action"
              : r.boundByExternalId
                ? "Directory/users/federatedBind/action"
                : "Directory/users/federatedGroupSync/action",
            target: r.user.id,
            result: "success",
            correlationId: randomUUID(),
            details: {
              provider: provider.name,
              issuer: provider.issuer,
              subject: String(claims.sub).slice(0, 256),
              ...(r.created || r.boundByExternalId
                ? { userPrincipalName: r.user.upn, linuxName: r.user.linuxName, uid: r.user.uid }
                : {}),
              ...(r.boundByExternalId && provider.claims.externalId !== undefined
                ? { boundBy: `claim '${provider.claims.externalId}' = SCIM externalId` }
                : {}),
              groups: r.groups.slice(0, 100),
            },
          });
        }
        return r;
      });
      return {
        account: { id: result.user.id, upn: result.user.upn, displayName: result.user.displayName },
        amr: result.amr,
      };
    },
  };
}
