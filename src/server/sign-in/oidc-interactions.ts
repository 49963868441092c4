/**
 * The portal's OAuth side: oidc-provider interactions and device codes. oidc-provider has no public
 * API for either outside its own pages, so this uses its models (`Interaction`, `DeviceCode`,
 * `Grant`) the way its own interaction and device routes do.
 *
 * Binding: an interaction is looked up through its cookie (`interactionDetails`), which oidc-provider
 * scopes to the interaction page's path; later steps of the same sign-in post to other portal
 * paths, so they finish it by uid. The uid they use comes from the portal's own flow state, which
 * is bound to the browser and was only created after the cookie check passed.
 */
import {
  type AccountSource,
  type AuthorizationServer,
  InteractionError,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../../auth/index.ts";
import type { DeviceCodeView, InteractionOutcome, InteractionView, RequestInfo } from "../../portal/index.ts";

const OIDC_SCOPES = new Set(["openid", "offline_access", "profile", "email"]);
const RESOURCE_SCOPES: ReadonlyMap<string, string> = new Map([
  [LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE],
  [MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE],
]);
const epoch = () => Math.floor(Date.now() / 1000);

interface DeviceCodeModel {
  accountId?: string;
  error?: string;
  errorDescription?: string;
  consumed?: unknown;
  isExpired: boolean;
  clientId: string;
  deviceInfo?: { ip?: string; ua?: string };
  params?: Record<string, unknown>;
  [field: string]: unknown;
  save(): Promise<unknown>;
}

export interface OidcInteractions {
  lookupInteraction(uid: string, request: RequestInfo): Promise<InteractionView | undefined>;
  finishInteraction(uid: string, outcome: InteractionOutcome): Promise<{ redirectTo: string }>;
  lookupDeviceCode(userCode: string, request: RequestInfo): Promise<DeviceCodeView | undefined>;
  approveDeviceCode(
    userCode: string,
    login: { accountId: string; amr: readonly string[]; authTime: number },
    request: RequestInfo,
  ): Promise<void>;
  denyDeviceCode(userCode: string, request: RequestInfo): Promise<void>;
}

function words(value: unknown): string[] {
  return typeof value === "string" ? value.split(" ").filter(Boolean) : [];
}

function resources(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function oidcInteractions(auth: () => AuthorizationServer, accounts: AccountSource): OidcInteractions {
  const provider = () => auth().provider;
  const clientName = async (clientId: string) =>
    (await provider().Client.find(clientId))?.clientName ?? clientId;

  async function liveDeviceCode(userCode: string, ip: string): Promise<DeviceCodeModel | undefined> {
    const find = provider().DeviceCode.findByUserCode as (
      code: string,
      options: Record<string, unknown>,
    ) => Promise<DeviceCodeModel | undefined>;
    const code = await find.call(provider().DeviceCode, userCode, { sourceIp: ip });
    if (code === undefined || code.isExpired || code.accountId || code.error || code.consumed)
      return undefined;
    return code;
  }

  async function enabledAccount(accountId: string) {
    const account = await accounts.findAccount(accountId);
    if (account === undefined || !account.enabled) throw new InteractionError("This account cannot sign in.");
    return account;
  }

  /**
   * What oidc-provider's own device flow stores on approval: a saved Grant with the OIDC scopes and
   * each resource's scopes asked for (first-party client, as in auth/lib/grants.ts), the combined
   * scope, and the resource(s) (a single one as a string, as oidc-provider does).
   */
  async function grantFor(code: DeviceCodeModel, accountId: string) {
    const requested = words(code.params?.scope);
    const grant = new (provider().Grant)({ accountId, clientId: code.clientId });
    const granted = requested.filter((s) => OIDC_SCOPES.has(s));
    grant.addOIDCScope(granted.join(" "));
    const list = resources(code.params?.resource).filter((r) => RESOURCE_SCOPES.has(r));
    for (const resource of list) {
      const scope = RESOURCE_SCOPES.get(resource) as string;
      if (!requested.includes(scope)) continue;
      grant.addResourceScope(resource, scope);
      if (!granted.includes(scope)) granted.push(scope);
    }
    const resource = list.length === 0 ? undefined : list.length === 1 ? list[0] : list;
    return { grantId: await grant.save(), scope: granted.join(" "), resource };
  }

  /**
   * The grant a user's "Allow" on the consent page gives a client that is not one of hostpass's
   * own (an application signing its users in through hostpass, issue 13): exactly what the prompt
   * said was missing, added to the grant the session already has for that client (oidc-provider's
   * documented consent pattern). First-party clients never reach the consent page.
   */
  async function grantConsent(interaction: ConsentInteraction): Promise<string> {
    const accountId = interaction.session?.accountId;
    const clientId = String(interaction.params.client_id ?? "");
    if (accountId === undefined || clientId === "")
      throw new InteractionError("The sign-in has expired. Start again.");
    const Grant = provider().Grant;
    const existing = interaction.grantId === undefined ? undefined : await Grant.find(interaction.grantId);
    const grant = existing ?? new Grant({ accountId, clientId });
    const details = (interaction.prompt?.details ?? {}) as ConsentDetails;
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(" "));
    if (details.missingOIDCClaims) grant.addOIDCClaims([...details.missingOIDCClaims]);
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(" "));
    return grant.save();
  }

  return {
    async lookupInteraction(uid, request) {
      // No interaction (none, expired, another browser's) is undefined; a store failure is not
      // one (503 ERR_STORE_UNAVAILABLE, not a silent restart of the sign-in).
      const view = await auth()
        .describeInteraction(request.req, request.res)
        .catch((error: unknown) => {
          if (error instanceof InteractionError) return undefined;
          throw error;
        });
      if (view === undefined || view.uid !== uid) return undefined;
      return {
        uid,
        kind: view.prompt === "consent" ? "consent" : "login",
        clientId: view.clientId,
        clientName: await clientName(view.clientId),
        scopes: [...view.scopes, ...view.resources],
        // Step-up: a client that was told a second factor is missing asks with `acr_values=mfa`.
        mfaRequired: view.acrValues.includes("mfa"),
        ...(view.sessionAccountId === undefined ? {} : { accountId: view.sessionAccountId }),
        ...(view.loginHint === undefined ? {} : { loginHint: view.loginHint }),
      };
    },

    async finishInteraction(uid, outcome) {
      const interaction = await provider().Interaction.find(uid);
      if (interaction === undefined) throw new InteractionError("The sign-in has expired. Start again.");
      if (outcome.kind === "login") {
        await enabledAccount(outcome.accountId);
        // Consent comes with the sign-in: hostpass's clients are first party (auth/lib/grants.ts).
        const login = {
          accountId: outcome.accountId,
          amr: [...outcome.amr],
          remember: true,
          ts: outcome.authTime,
        };
        interaction.result = { login, consent: {} };
      } else if (outcome.kind === "consent") {
        interaction.result = {
          consent: { grantId: await grantConsent(interaction as unknown as ConsentInteraction) },
        };
      } else {
        interaction.result = { error: "access_denied", error_description: "The user cancelled the sign-in." };
      }
      await interaction.save(Math.max(1, interaction.exp - epoch()));
      return { redirectTo: interaction.returnTo };
    },

    async lookupDeviceCode(userCode, request) {
      const code = await liveDeviceCode(userCode, request.ip);
      if (code === undefined) return undefined;
      return {
        userCode,
        clientId: code.clientId,
        clientName: await clientName(code.clientId),
        requestIp: String(code.deviceInfo?.ip ?? "unknown"),
        requestUserAgent: String(code.deviceInfo?.ua ?? ""),
        scopes: words(code.params?.scope),
      };
    },

    async approveDeviceCode(userCode, login, request) {
      const code = await liveDeviceCode(userCode, request.ip);
      if (code === undefined) throw new InteractionError("The code has expired or was already used.");
      const account = await enabledAccount(login.accountId);
      const { grantId, scope, resource } = await grantFor(code, account.id);
      Object.assign(code, { accountId: account.id, amr: [...login.amr], authTime: login.authTime });
      Object.assign(code, { grantId, scope, ...(resource === undefined ? {} : { resource }) });
      await code.save();
    },

    async denyDeviceCode(userCode, request) {
      const code = await liveDeviceCode(userCode, request.ip);
      if (code === undefined) return;
      Object.assign(code, { error: "access_denied", errorDescription: "The user denied the sign-in." });
      await code.save();
    },
  };
}

interface ConsentDetails {
  readonly missingOIDCScope?: readonly string[];
  readonly missingOIDCClaims?: readonly string[];
  readonly missingResourceScopes?: Readonly<Record<string, readonly string[]>>;
}

/** The parts of an oidc-provider Interaction the consent needs. */
interface ConsentInteraction {
  readonly grantId?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly session?: { readonly accountId?: string };
  readonly prompt?: { readonly details?: unknown };
}
