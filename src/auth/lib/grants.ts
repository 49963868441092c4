/**
 * Accounts, grants and token claims as oidc-provider asks for them.
 *
 * - `findAccount` answers `undefined` for a disabled or deleted user, and for a token or browser
 *   session older than the user's sessions-valid-from time (revoked sessions). oidc-provider
 *   calls it on every authorization request with a session, on every token grant (code, device
 *   code, refresh) and at userinfo, so such a user gets nothing new, not even by refresh.
 * - hostpass's own clients (configuration) are first party: the consent step is skipped by
 *   granting what was asked, limited to known scopes and each resource's scopes (oidc-provider's
 *   documented `loadExistingGrant` pattern). The sign-in page may add a consent screen later.
 * - access tokens carry `tid`, `oid`, `idtyp` and, for users, the grant id (`gid`, so that the CA
 *   can refuse tokens of a revoked grant: JWT access tokens are not stored) and `amr`/`acr`.
 * - the CLI's default resource, and a login check for sessions of disabled accounts (below).
 */
import { interactionPolicy, type KoaContextWithOIDC, type OidcTokenLike, type Provider } from "oidc-provider";
import {
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../constants.ts";
import type { AccountSource } from "../types.ts";
import { requireBoundToken } from "./sender-constraint.ts";
import { predatesSessions } from "./sessions-valid-from.ts";

export function createFindAccount(accounts: AccountSource) {
  return async function findAccount(ctx: KoaContextWithOIDC | undefined, sub: string, token?: OidcTokenLike) {
    const account = await accounts.findAccount(sub);
    if (account === undefined || !account.enabled) return undefined;
    if (predatesSessions(issuedAt(ctx, token), account.sessionsValidFrom)) return undefined;
    const claims = { ...account.claims, sub: account.id, tid: account.tenantId, oid: account.id };
    return {
      accountId: account.id,
      tenantId: account.tenantId,
      claims: async () => (account.groups ? { ...claims, groups: [...(await account.groups())] } : claims),
    };
  };
}

/**
 * When what is being used began: a refresh token's chain started at the sign-in (`iiat`), a code
 * or access token at its `iat`; without a token, the browser session's login. Undefined only while
 * the user is signing in right now (nothing older to void).
 */
function issuedAt(ctx: KoaContextWithOIDC | undefined, token: OidcTokenLike | undefined): number | undefined {
  if (token !== undefined) {
    const started = token.iiat ?? token.iat;
    return typeof started === "number" ? started : Number.NaN;
  }
  const loginTs = (ctx?.oidc?.session as { loginTs?: unknown } | undefined)?.loginTs;
  return typeof loginTs === "number" ? loginTs : undefined;
}

interface OidcContextExtras {
  readonly session: {
    readonly accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  };
  readonly result?: { readonly consent?: { readonly grantId?: string } };
  readonly requestParamScopes: ReadonlySet<string>;
  readonly requestParamOIDCScopes: ReadonlySet<string>;
  readonly resourceServers: Readonly<Record<string, { readonly scopes: ReadonlySet<string> }>>;
  readonly provider: Provider;
}

export function createLoadExistingGrant(firstPartyClientIds: ReadonlySet<string>) {
  return async function loadExistingGrant(ctx: KoaContextWithOIDC) {
    const oidc = ctx.oidc as unknown as KoaContextWithOIDC["oidc"] & OidcContextExtras;
    const clientId = oidc.client?.clientId;
    const accountId = oidc.account?.accountId;
    if (clientId === undefined || accountId === undefined) return undefined;
    const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(clientId);
    let grant = grantId === undefined ? undefined : await oidc.provider.Grant.find(grantId);
    if (grant !== undefined && (grant as unknown as { accountId: string }).accountId !== accountId) {
      grant = undefined;
    }
    if (!firstPartyClientIds.has(clientId)) return grant;
    grant ??= new oidc.provider.Grant({ accountId, clientId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(" "));
    for (const [indicator, server] of Object.entries(oidc.resourceServers)) {
      const scopes = [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
      if (scopes.length > 0) grant.addResourceScope(indicator, scopes.join(" "));
    }
    await grant.save();
    return grant;
  };
}

/** The grant source a token is being issued from (code, device code or refresh token). */
function sourceOf(ctx: KoaContextWithOIDC | undefined): OidcTokenLike | undefined {
  const entities = ctx?.oidc?.entities;
  return entities?.RefreshToken ?? entities?.AuthorizationCode ?? entities?.DeviceCode;
}

export function createExtraTokenClaims() {
  return async function extraTokenClaims(ctx: KoaContextWithOIDC | undefined, token: OidcTokenLike) {
    requireBoundToken(token);
    if (token.accountId !== undefined) {
      const account = ctx?.oidc?.account;
      const source = sourceOf(ctx);
      return {
        tid: typeof account?.tenantId === "string" ? account.tenantId : undefined,
        oid: token.accountId,
        idtyp: "user",
        gid: token.grantId,
        amr: source?.amr,
        acr: source?.acr,
        auth_time: source?.authTime,
      };
    }
    // Client credentials: the service principal's tenant and object id from its client metadata.
    const client = ctx?.oidc?.client;
    return {
      tid: typeof client?.tenant_id === "string" ? client.tenant_id : undefined,
      oid: typeof client?.principal_id === "string" ? client.principal_id : undefined,
      idtyp: "app",
    };
  };
}

/**
 * The CLI signs in for Linux VM Sign-In and the management API even when it names no resource (the
 * `hostpass` CLI asks for `openid profile offline_access` and later refreshes per resource, as
 * `az` does with Entra ID). oidc-provider only lets a refresh token reach resources named at
 * authorization, so both resources and their scopes are added to the CLI's request here, before
 * they are checked. The code itself is redeemed for Linux VM Sign-In when the request is DPoP-bound,
 * else for the management API (sender-constraint.ts).
 */
export function cliDefaultResource(
  ctx: KoaContextWithOIDC,
  client: { clientId: string } | undefined,
  cliClientId: string,
): string[] | undefined {
  if (client?.clientId !== cliClientId) return undefined;
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  if (params === undefined) return undefined;
  const scopes = typeof params.scope === "string" ? params.scope.split(" ").filter(Boolean) : [];
  const added = [LINUX_VM_SIGN_IN_SCOPE, MANAGEMENT_API_SCOPE].filter((s) => !scopes.includes(s));
  params.scope = [...scopes, ...added].join(" ");
  return [LINUX_VM_SIGN_IN_RESOURCE, MANAGEMENT_API_RESOURCE];
}

/**
 * oidc-provider's interaction policy plus one login check: a browser session whose account can no
 * longer sign in (disabled or deleted since) must log in again. Without it oidc-provider keeps the
 * session's account id, finds no account, and fails with a server error further on.
 */
export function interactionPolicyWithAccountCheck() {
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
