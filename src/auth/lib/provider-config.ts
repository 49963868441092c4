/**
 * oidc-provider's configuration for hostpass. Every security-relevant default is set explicitly,
 * even when oidc-provider's default is already right, so that an upgrade cannot change it silently.
 */
import { errors, type KoaContextWithOIDC } from "oidc-provider";
import {
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../constants.ts";
import type { AuthPages } from "../pages.ts";
import type { AccountSource, OidcStorage } from "../types.ts";
import { createClientAssertionCheck } from "./client-assertion.ts";
import { createClientFinder } from "./clients.ts";
import type { DeviceFlowLimits } from "./device-flow.ts";
import {
  cliDefaultResource,
  createExtraTokenClaims,
  createFindAccount,
  createLoadExistingGrant,
  interactionPolicyWithAccountCheck,
} from "./grants.ts";
import { createAdapterFactory } from "./oidc-adapter.ts";
import { pageSources } from "./page-sources.ts";
import {
  hasDpopProof,
  pickResource,
  requireProofForRefresh,
  requireProofForResource,
} from "./sender-constraint.ts";
import type { LoadedSigningKeys } from "./signing-keys.ts";

export interface TokenLifetimes {
  readonly accessTokenSeconds: number;
  readonly authorizationCodeSeconds: number;
  readonly idTokenSeconds: number;
  /** Sliding: every rotation issues a new refresh token with this lifetime... */
  readonly refreshTokenSeconds: number;
  /** ...but never beyond the grant (the sign-in) itself. */
  readonly grantSeconds: number;
  readonly sessionSeconds: number;
  readonly interactionSeconds: number;
}

export interface ProviderConfigInput {
  readonly accounts: AccountSource;
  readonly storage: OidcStorage;
  readonly keys: LoadedSigningKeys;
  readonly pages: AuthPages;
  readonly staticClients: readonly Record<string, unknown>[];
  readonly cliClientId: string;
  readonly cookieKeys: readonly string[];
  readonly secureCookies: boolean;
  readonly clockToleranceSeconds: number;
  readonly ttl: TokenLifetimes;
  readonly device: DeviceFlowLimits;
  readonly interactionUrl: (uid: string) => string;
}

interface GrantClient {
  readonly clientId: string;
  grantTypeAllowed(type: string): boolean;
}

/** The resource servers: Linux VM Sign-In (certificates) and the management API, one scope each. */
const RESOURCE_SCOPES: Readonly<Record<string, string>> = {
  [LINUX_VM_SIGN_IN_RESOURCE]: LINUX_VM_SIGN_IN_SCOPE,
  [MANAGEMENT_API_RESOURCE]: MANAGEMENT_API_SCOPE,
};

interface GrantSource {
  readonly scopes: ReadonlySet<string>;
}

const CLIENT_AUTH_ALGS = ["ES256", "ES384", "ES512", "EdDSA", "Ed25519", "PS256", "RS256"];

export function buildProviderConfig(input: ProviderConfigInput): Record<string, unknown> {
  const { ttl, device } = input;
  const sources = pageSources(input.pages);
  const staticIds = new Set(input.staticClients.map((c) => String(c.client_id)));
  const cookie = { httpOnly: true, sameSite: "lax", signed: true, secure: input.secureCookies };
  return {
    adapter: createAdapterFactory(input.storage, createClientFinder(input.accounts, staticIds)),
    clients: input.staticClients,
    clientDefaults: {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: input.keys.alg,
    },
    extraClientMetadata: { properties: ["tenant_id", "principal_id"] },
    // No client_secret_jwt: it needs the plain-text secret, and secrets are stored hashed.
    clientAuthMethods: ["none", "client_secret_basic", "client_secret_post", "private_key_jwt"],
    responseTypes: ["code"],
    // Always send redirect_uri, and compare it exactly (loopback port aside, see clients.ts).
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => true },
    clockTolerance: input.clockToleranceSeconds,
    cookies: { keys: [...input.cookieKeys], long: cookie, short: cookie },
    jwks: { keys: input.keys.privateJwks.map((jwk) => ({ ...jwk })) },
    enabledJWA: {
      idTokenSigningAlgValues: [input.keys.alg],
      userinfoSigningAlgValues: [input.keys.alg],
      clientAuthSigningAlgValues: CLIENT_AUTH_ALGS,
      // What the CA accepts for a proof made with an SSH key the CLI generates or is given
      // (Ed25519, ECDSA P-256/384/521, RSA as PS256): Linux VM Sign-In tokens are bound to that key.
      dPoPSigningAlgValues: ["ES256", "ES384", "ES512", "EdDSA", "Ed25519", "PS256"],
    },
    scopes: ["openid", "offline_access", "profile", "email", "groups"],
    claims: {
      openid: ["sub", "tid", "oid"],
      profile: ["name", "preferred_username"],
      email: ["email"],
      groups: ["groups"],
      acr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    findAccount: createFindAccount(input.accounts),
    loadExistingGrant: createLoadExistingGrant(staticIds),
    extraTokenClaims: createExtraTokenClaims(),
    // OIDC honours `offline_access` only with prompt=consent; like Entra ID, hostpass's own public
    // clients get a refresh token anyway, and it does not die with the browser session (the CLI
    // may have signed in through another device's browser). `hostpass logout` revokes it.
    issueRefreshToken: async (_ctx: unknown, client: GrantClient, source: GrantSource) =>
      client.grantTypeAllowed("refresh_token") &&
      (source.scopes.has("offline_access") || staticIds.has(client.clientId)),
    expiresWithSession: async (ctx: KoaContextWithOIDC, source: GrantSource) =>
      !(source.scopes.has("offline_access") || staticIds.has(ctx.oidc.client?.clientId ?? "")),
    // Every refresh rotates; reusing a rotated token revokes the grant (oidc-provider). Called
    // before the rotation: a refresh for Linux VM Sign-In without a DPoP proof is refused here,
    // so the refresh token is not used up (sender-constraint.ts).
    rotateRefreshToken: async (ctx: KoaContextWithOIDC) => {
      requireProofForRefresh(ctx);
      return true;
    },
    assertJwtClientAuthClaimsAndHeader: createClientAssertionCheck(input.clockToleranceSeconds),
    interactions: {
      policy: interactionPolicyWithAccountCheck(),
      url: async (_ctx: unknown, interaction: { uid: string }) => input.interactionUrl(interaction.uid),
    },
    ttl: {
      AccessToken: ttl.accessTokenSeconds,
      ClientCredentials: ttl.accessTokenSeconds,
      AuthorizationCode: ttl.authorizationCodeSeconds,
      DeviceCode: device.deviceCodeTtlSeconds,
      IdToken: ttl.idTokenSeconds,
      RefreshToken: ttl.refreshTokenSeconds,
      Grant: ttl.grantSeconds,
      Session: ttl.sessionSeconds,
      Interaction: ttl.interactionSeconds,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: {
        enabled: true,
        // A client revokes only its own tokens; for a public client a foreign token is ignored
        // silently (RFC 7009 answers 200 either way, so nothing leaks about the token).
        allowedPolicy: async (_ctx: unknown, client: GrantClient, token: { clientId?: string }) =>
          token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      registration: { enabled: false },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, allowUnregisteredRedirectUris: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx: KoaContextWithOIDC, client?: { clientId: string }, oneOf?: string[]) =>
          oneOf === undefined
            ? cliDefaultResource(ctx, client, input.cliClientId)
            : pickResource(oneOf, hasDpopProof(ctx)),
        // A refresh without `resource` keeps the resource the grant was for.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx: KoaContextWithOIDC, indicator: string) => {
          requireProofForResource(ctx, indicator);
          const scope = Object.hasOwn(RESOURCE_SCOPES, indicator) ? RESOURCE_SCOPES[indicator] : undefined;
          if (scope === undefined) {
            throw new errors.CustomOIDCProviderError("invalid_target", "unknown resource");
          }
          return {
            scope,
            audience: indicator,
            accessTokenTTL: ttl.accessTokenSeconds,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: input.keys.alg } },
          };
        },
      },
      deviceFlow: {
        enabled: true,
        charset: "base-20",
        mask: "****-****",
        deviceInfo: (ctx: KoaContextWithOIDC) => ({
          ip: ctx.ip,
          ua: String(ctx.headers["user-agent"] ?? "").slice(0, 256),
        }),
        userCodeInputSource: sources.userCodeInputSource,
        userCodeConfirmSource: sources.userCodeConfirmSource,
        successSource: sources.successSource,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: sources.logoutSource,
        postLogoutSuccessSource: sources.postLogoutSuccessSource,
      },
    },
    renderError: sources.renderError,
    // No browser-based (SPA) client exists: the CLI is a native app and the portal is same-origin,
    // so no cross-origin caller may use the token, userinfo or revocation endpoints.
    clientBasedCORS: () => false,
  };
}
