/**
 * The portal's `SignInBackend` over the directory (passwords, accounts), the store's second
 * factors, the authorization server (interactions, device codes) and the sign-in log.
 */
import { randomUUID } from "node:crypto";
import type { SignInLogEntry, SignInLogRepository } from "../../audit/index.ts";
import {
  authenticateUser,
  changeOwnPassword,
  type DirectoryRepository,
  InvalidCredentialsError,
  isPasswordChangeRequired,
  PrincipalNotFoundError,
  tenantsOfUpn,
  type User,
} from "../../directory/index.ts";
import { MfaFailedError, verifyTotp } from "../../mfa/index.ts";
import type { SecurityChange, SignInAccount, SignInBackend, SignInEvent } from "../../portal/index.ts";
import type { AuditSink } from "../deps.ts";
import type { OidcInteractions } from "./oidc-interactions.ts";
import type { FactorStore } from "./ports.ts";

export interface SignInBackendDeps {
  readonly directory: DirectoryRepository;
  /** The tenants this server signs in for; the first is where unattributable attempts are logged. */
  readonly tenants: () => readonly string[];
  readonly mfa: FactorStore;
  readonly signInLog: SignInLogRepository;
  readonly oidc: OidcInteractions;
  /** The activity log, for changes users make to their own sign-in methods. */
  readonly audit: AuditSink;
  /** The tenant of an upstream identity provider (federation; absent: none). */
  readonly tenantOfIdentityProvider?: (id: string) => Promise<string | undefined>;
}

/** Activity-log actions of self-service changes (the API's own changes are logged by its route). */
const SECURITY_ACTIONS: Readonly<Record<SecurityChange["change"], string>> = {
  password: "Directory/users/changePassword/action",
  totp: "Directory/users/authenticationMethods/totp/write",
  passkey: "Directory/users/authenticationMethods/passkeys/write",
};

function accountOf(user: User): SignInAccount {
  return { id: user.id, upn: user.upn, displayName: user.displayName };
}

export function createSignInBackend(deps: SignInBackendDeps): SignInBackend {
  const { directory, mfa } = deps;

  async function enabledUser(accountId: string): Promise<{ user: User; tenantId: string } | undefined> {
    const tenantId = await directory.findTenantOfPrincipal(accountId);
    if (tenantId === undefined) return undefined;
    const found = await directory.getPrincipal(tenantId, accountId);
    return found?.kind === "user" && found.enabled ? { user: found, tenantId } : undefined;
  }

  return {
    lookupInteraction: (uid, request) => deps.oidc.lookupInteraction(uid, request),
    finishInteraction: (uid, outcome) => deps.oidc.finishInteraction(uid, outcome),

    async verifyPassword(upn, password) {
      // Every tenant signs in: the tenants with this UPN (one read), else the home tenant, so an
      // unknown name costs the directory's equal work once.
      const found = await tenantsOfUpn(directory, upn);
      for (const tenantId of found.length > 0 ? found : deps.tenants().slice(0, 1)) {
        try {
          const user = await authenticateUser(directory, tenantId, upn, password);
          const passwordChangeRequired = await isPasswordChangeRequired(directory, tenantId, user.id);
          return { ...accountOf(user), passwordChangeRequired };
        } catch (error) {
          if (!(error instanceof InvalidCredentialsError)) throw error;
        }
      }
      return undefined;
    },
    async getAccount(accountId) {
      const found = await enabledUser(accountId);
      return found && accountOf(found.user);
    },
    async listFactors(accountId) {
      const [totp, passkeys] = await Promise.all([mfa.getTotp(accountId), mfa.listPasskeys(accountId)]);
      return { totp: totp !== undefined, passkeys: passkeys.map((p) => p.passkey) };
    },
    async verifyTotp(accountId, code, nowMs) {
      const totp = await mfa.getTotp(accountId);
      if (totp === undefined) return false;
      let step: number;
      try {
        step = verifyTotp(totp.secret, code, nowMs, totp.lastUsedStep);
      } catch (error) {
        if (error instanceof MfaFailedError) return false;
        throw error;
      }
      // Atomic: of two requests with one code (or two replicas), only one gets through.
      return mfa.useTotpStep(accountId, step, new Date(nowMs));
    },
    saveTotp: (accountId, secret, lastUsedStep) => mfa.saveTotp(accountId, secret, lastUsedStep, new Date()),
    async findPasskeyOwner(credentialId) {
      const stored = await mfa.findPasskey(credentialId);
      const found = stored && (await enabledUser(stored.accountId));
      return found && accountOf(found.user);
    },
    addPasskey: (accountId, passkey) => mfa.addPasskey(accountId, passkey, new Date()),
    async updatePasskey(accountId, passkey) {
      await mfa.updatePasskeyCounter(accountId, passkey.id, passkey.counter, new Date());
    },

    lookupDeviceCode: (userCode, request) => deps.oidc.lookupDeviceCode(userCode, request),
    approveDeviceCode: (userCode, principal, request) =>
      deps.oidc.approveDeviceCode(userCode, principal, request),
    denyDeviceCode: (userCode, request) => deps.oidc.denyDeviceCode(userCode, request),

    async recordSignIn(event) {
      const owner = event.accountId === undefined ? undefined : await enabledUser(event.accountId);
      // A failure names a UPN, not an account: it goes to the log of that UPN's tenant.
      const byUpn =
        owner === undefined && event.upn ? (await tenantsOfUpn(directory, event.upn))[0] : undefined;
      // A federated failure names no account: it goes to the log of the provider's tenant.
      const byProvider =
        owner === undefined && byUpn === undefined && event.identityProviderId !== undefined
          ? await deps.tenantOfIdentityProvider?.(event.identityProviderId)
          : undefined;
      const tenantId = owner?.tenantId ?? byUpn ?? byProvider ?? deps.tenants()[0] ?? "";
      await deps.signInLog.append(toLogEntry(event, tenantId));
    },

    async changePassword(accountId, currentPassword, newPassword) {
      const found = await enabledUser(accountId);
      if (found === undefined) throw new PrincipalNotFoundError("user not found");
      const input = { tenantId: found.tenantId, userId: accountId, newPassword };
      await changeOwnPassword(
        directory,
        currentPassword === undefined ? input : { ...input, currentPassword },
      );
    },
    async recordSecurityChange(change) {
      const found = await enabledUser(change.accountId);
      await deps.audit.append({
        tenantId: found?.tenantId ?? deps.tenants()[0] ?? "",
        actor: change.accountId,
        action: SECURITY_ACTIONS[change.change],
        target: change.accountId,
        result: change.result,
        correlationId: randomUUID(),
        details: { via: "portal", ip: change.ip },
      });
    },
  };
}

const MFA_METHODS: ReadonlySet<string> = new Set(["totp", "passkey"]);

function toLogEntry(event: SignInEvent, tenantId: string): SignInLogEntry {
  const entry: SignInLogEntry = {
    id: randomUUID(),
    time: new Date(event.at),
    tenantId,
    ip: event.ip,
    userAgent: event.userAgent.slice(0, 512),
    result: event.result,
    policies: [],
    correlationId: randomUUID(),
    ...(event.accountId === undefined
      ? {}
      : { principalId: event.accountId, principalKind: "user" as const }),
    ...(event.upn === undefined || event.upn === "" ? {} : { principalName: event.upn.slice(0, 256) }),
    ...(event.clientId === undefined ? {} : { appId: event.clientId }),
    ...(event.reason === undefined ? {} : { failureReason: event.reason }),
    ...(MFA_METHODS.has(event.method) ? { mfaMethod: event.method } : {}),
  };
  return entry;
}
