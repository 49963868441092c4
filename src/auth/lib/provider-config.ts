/**
 * oidc-provider's configuration for hostpass. Every security-relevant default is set explicitly,
 * even when oidc-provider's default is already right, so that an upgrade cannot change it silently.
 */
import { errors, interactionPolicy, type KoaContextWithOIDC } from "oidc-provider";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../constants.ts";
import { type AuthPages, sendPage } from "../pages.ts";
import type { AccountSource, OidcStorage } from "../types.ts";
import { createClientAssertionCheck } from "./client-assertion.ts";
import { createClientFinder } from "./clients.ts";
import type { DeviceFlowLimits } from "./device-flow.ts";
import { createExtraTokenClaims, createFindAccount, createLoadExistingGrant } from "./grants.ts";
import { createAdapterFactory } from "./oidc-adapter.ts";
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

interface GrantSource {
  readonly scopes: ReadonlySet<string>;
}

const CLIENT_AUTH_ALGS = ["ES256", "ES384", "ES512", "EdDSA", "Ed25519", "PS256", "RS256"];

function scopesOf(ctx: KoaContextWithOIDC): string[] {
  const entity = ctx.oidc.entities.DeviceCode;
  const scope = entity?.params?.scope;
  return typeof scope === "string" ? scope.split(" ").filter(Boolean) : [];
}

function resourcesOf(ctx: KoaContextWithOIDC): string[] {
  const resource = ctx.oidc.entities.DeviceCode?.params?.resource;
  if (typeof resource === "string") return [resource];
  return Array.isArray(resource) ? resource.filter((r): r is string => typeof r === "string") : [];
}

/**
 * The CLI signs in for Linux VM Sign-In even when it names no resource (the `hostpass` CLI asks
 * for `openid profile offline_access` and later refreshes for the resource, as `az` does with
 * Entra ID). oidc-provider only lets a refresh token reach resources named at authorization, so
 * the resource and its scope are added to the CLI's request here, before they are checked.
 */
function cliDefaultResource(
  ctx: KoaContextWithOIDC,
  client: { clientId: string } | undefined,
  cliClientId: string,
): string | undefined {
  if (client?.clientId !== cliClientId) return undefined;
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  if (params === undefined) return undefined;
  const scopes = typeof params.scope === "string" ? params.scope.split(" ").filter(Boolean) : [];
  if (!scopes.includes(LINUX_VM_SIGN_IN_SCOPE)) params.scope = [...scopes, LINUX_VM_SIGN_IN_SCOPE].join(" ");
  return LINUX_VM_SIGN_IN_RESOURCE;
}

/**
 * oidc-provider's interaction policy plus one login check: a browser session whose account can no
 * longer sign in (disabled or deleted since) must log in again. Without it oidc-provider keeps the
 * session's account id, finds no account, and fails with a server error further on.
 */
function interactionPolicyWithAccountCheck() {
  const policy = interactionPolicy.base();
  const login = policy.get("login");
  if (login === undefined) throw new TypeError("oidc-provider has no login prompt");
  login.checks.add(
    new interactionPolicy.Check(
      "account_unusable",
      "the account of this session can no longer sign in",
      (ctx) => ctx.oidc.session?.accountId !== undefined && ctx.oidc.account === undefined,
    ),
    0,
  );
  return policy;
}

export function buildProviderConfig(input: ProviderConfigInput): Record<string, unknown> {
  const { pages, ttl, device } = input;
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
      dPoPSigningAlgValues: ["ES256", "EdDSA", "Ed25519"],
    },
    scopes: ["openid", "offline_access", "profile", "email"],
    claims: {
      openid: ["sub", "tid", "oid"],
      profile: ["name", "preferred_username"],
      email: ["email"],
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
    // Every refresh rotates; reusing a rotated token revokes the grant (oidc-provider).
    rotateRefreshToken: true,
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
          oneOf ?? cliDefaultResource(ctx, client, input.cliClientId),
        // A refresh without `resource` keeps the resource the grant was for.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== LINUX_VM_SIGN_IN_RESOURCE) {
            throw new errors.CustomOIDCProviderError("invalid_target", "unknown resource");
          }
          return {
            scope: LINUX_VM_SIGN_IN_SCOPE,
            audience: LINUX_VM_SIGN_IN_RESOURCE,
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
        userCodeInputSource: async (
          ctx: KoaContextWithOIDC,
          formHtml: string,
          out?: { error: string; error_description?: string },
        ) =>
          sendPage(
            ctx,
            pages.deviceCodeInput({
              formHtml,
              ...(out ? { error: { error: out.error, description: out.error_description } } : {}),
            }),
          ),
        userCodeConfirmSource: async (
          ctx: KoaContextWithOIDC,
          formHtml: string,
          client: { clientId: string; clientName?: string },
          deviceInfo: { ip?: string; ua?: string } | undefined,
          userCode: string,
        ) =>
          sendPage(
            ctx,
            pages.deviceCodeConfirm({
              formHtml,
              view: {
                userCode,
                clientId: client.clientId,
                clientName: client.clientName ?? client.clientId,
                requestIp: deviceInfo?.ip ?? "unknown",
                requestUserAgent: deviceInfo?.ua ?? "",
                scopes: scopesOf(ctx),
                resources: resourcesOf(ctx),
              },
            }),
          ),
        successSource: async (ctx: KoaContextWithOIDC) =>
          sendPage(ctx, pages.deviceCodeSuccess({ clientName: ctx.oidc.client?.clientName ?? "" })),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, formHtml: string) =>
          sendPage(ctx, pages.logoutConfirm({ formHtml })),
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) =>
          sendPage(ctx, pages.logoutSuccess({ clientName: ctx.oidc.client?.clientName })),
      },
    },
    renderError: async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) =>
      sendPage(ctx, pages.error({ error: out.error, description: out.error_description })),
  };
}
