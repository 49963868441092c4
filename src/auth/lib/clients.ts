/**
 * OAuth clients: the `hostpass` CLI (public, native) and any extra static clients come from
 * configuration; service principals are confidential clients looked up in the directory on every
 * request, so a disabled or deleted principal stops authenticating at once.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { Provider } from "oidc-provider";
import { HOSTPASS_CLI_CLIENT_ID, HOSTPASS_CLI_REDIRECT_URIS } from "../constants.ts";
import type { AccountSource, ServicePrincipalRecord } from "../types.ts";

export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

export interface CliClientOptions {
  readonly clientId?: string;
  readonly redirectUris?: readonly string[];
}

/** The CLI: no secret (`none`), PKCE S256 enforced for everyone, loopback redirects with any port. */
export function cliClientMetadata(options: CliClientOptions = {}): Record<string, unknown> {
  return {
    client_id: options.clientId ?? HOSTPASS_CLI_CLIENT_ID,
    client_name: "hostpass CLI",
    application_type: "native",
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token", DEVICE_CODE_GRANT],
    response_types: ["code"],
    redirect_uris: [...(options.redirectUris ?? HOSTPASS_CLI_REDIRECT_URIS)],
    post_logout_redirect_uris: [...(options.redirectUris ?? HOSTPASS_CLI_REDIRECT_URIS)],
  };
}

/**
 * The administration portal: a web client on the server's own origin. Its code exchange happens
 * on the server (the browser never holds its tokens), so it has no secret of its own to protect;
 * PKCE and the one exact redirect URI bind each code to the portal's own pending sign-in.
 */
export function portalClientMetadata(clientId: string, redirectUri: string): Record<string, unknown> {
  return {
    client_id: clientId,
    client_name: "hostpass portal",
    application_type: "web",
    token_endpoint_auth_method: "none",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    redirect_uris: [redirectUri],
  };
}

/**
 * oidc-provider compares client secrets in plain text against the registered `client_secret`;
 * hostpass stores only hashes. Service-principal clients are therefore registered with a random
 * per-process placeholder that nothing can know, and `compareClientSecret` is replaced (below) by
 * the directory's hash check.
 */
const SECRET_PLACEHOLDER = randomBytes(32).toString("base64url");

/**
 * A principal may hold secrets and certificates at once, but oidc-provider binds one method to a
 * client. The method is chosen from the request: a `client_assertion` means `private_key_jwt`.
 */
function requestUsesAssertion(): boolean {
  const params = Provider.ctx?.oidc?.params;
  return params !== undefined && params.client_assertion !== undefined;
}

export function servicePrincipalClient(
  sp: ServicePrincipalRecord,
  usesAssertion: boolean,
): Record<string, unknown> | undefined {
  if (!sp.enabled) return undefined;
  // With redirect URIs it is also a web sign-in client (authorization code, PKCE required for all).
  const web = (sp.redirectUris?.length ?? 0) > 0;
  const base = {
    client_id: sp.appId,
    client_name: sp.displayName,
    application_type: "web",
    grant_types: web ? ["client_credentials", "authorization_code"] : ["client_credentials"],
    response_types: web ? ["code"] : [],
    redirect_uris: web ? [...(sp.redirectUris ?? [])] : [],
    tenant_id: sp.tenantId,
    principal_id: sp.objectId,
  };
  // An assertion at the token endpoint, or a client with keys and no secret at all (a web client
  // that authenticates only with private_key_jwt: its authorization requests carry no assertion).
  if (usesAssertion || !sp.hasClientSecret) {
    if (sp.certificateJwks.length === 0) return undefined;
    return {
      ...base,
      token_endpoint_auth_method: "private_key_jwt",
      jwks: { keys: sp.certificateJwks.map((jwk) => ({ ...jwk })) },
    };
  }
  if (!sp.hasClientSecret) return undefined;
  return { ...base, token_endpoint_auth_method: "client_secret_basic", client_secret: SECRET_PLACEHOLDER };
}

export function createClientFinder(
  accounts: AccountSource,
  staticIds: ReadonlySet<string>,
): (clientId: string) => Promise<Record<string, unknown> | undefined> {
  return async (clientId) => {
    // Static clients are answered by oidc-provider before the adapter; never shadow them.
    if (staticIds.has(clientId)) return undefined;
    const sp = await accounts.findServicePrincipal(clientId);
    return sp === undefined ? undefined : servicePrincipalClient(sp, requestUsesAssertion());
  };
}

/** Replaces the plain-text secret comparison of this provider's Client model by the directory's. */
export function useDirectorySecretCheck(provider: Provider, accounts: AccountSource): void {
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(actual: string) {
    if (typeof actual !== "string" || actual.length === 0 || actual.length > 512) return false;
    if (this.clientSecret === SECRET_PLACEHOLDER) return accounts.verifyClientSecret(this.clientId, actual);
    // A static confidential client from configuration: compare digests in constant time.
    const expected = typeof this.clientSecret === "string" ? this.clientSecret : "";
    const a = createHash("sha256").update(expected).digest();
    const b = createHash("sha256").update(actual).digest();
    return expected.length > 0 && timingSafeEqual(a, b);
  };
}
