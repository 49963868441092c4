/**
 * What the sign-in pages need from the rest of hostpass. The portal only renders pages, checks
 * CSRF tokens and attempt limits, and runs the WebAuthn/TOTP ceremonies; everything that knows
 * accounts (src/directory), OAuth interactions and device codes (src/auth, oidc-provider) and the
 * sign-in log sits behind this interface, which the composition root (src/server) implements.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Passkey } from "../mfa/index.ts";

/** The browser request a call is made for: the source address and, for oidc-provider, the raw request. */
export interface RequestInfo {
  /** `request.ip` as Fastify resolves it (honours X-Forwarded-For only with `trustProxy`). */
  readonly ip: string;
  readonly userAgent: string;
  /** For `interactionDetails`/`interactionResult`; the portal never lets the backend write the reply. */
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** A user who may sign in (enabled). `id` is the immutable object id. */
export interface SignInAccount {
  readonly id: string;
  readonly upn: string;
  readonly displayName: string;
  /** Set by `verifyPassword`: the password is a temporary one the user must replace now. */
  readonly passwordChangeRequired?: boolean;
}

/** A change a user made to their own sign-in methods, for the activity log. */
export interface SecurityChange {
  readonly at: number;
  readonly ip: string;
  readonly accountId: string;
  readonly change: "password" | "totp" | "passkey";
  readonly result: "success" | "failure";
}

/** The second factors an account has; TOTP secrets never leave the backend. */
export interface AccountFactors {
  readonly totp: boolean;
  readonly passkeys: readonly Passkey[];
}

/** An OAuth/OIDC interaction (oidc-provider prompt) as the pages show it. */
export interface InteractionView {
  readonly uid: string;
  /**
   * `login`: nobody is signed in; `mfa`: `accountId` is signed in but the request needs a second
   * factor (step-up, e.g. a conditional access claims challenge); `consent`: `accountId` is signed
   * in and the client asks for scopes not granted yet.
   */
  readonly kind: "login" | "mfa" | "consent";
  readonly clientId: string;
  readonly clientName: string;
  /** The scopes and resources asked for, as given (e.g. `openid`, `vm.login`). */
  readonly scopes: readonly string[];
  readonly accountId?: string;
  /** True when policy already knows the sign-in needs a second factor (the password alone is not enough). */
  readonly mfaRequired: boolean;
  readonly loginHint?: string;
}

/** How an interaction ends. `amr` values are RFC 8176 (`pwd`, `otp`, `hwk`, `user`, `mfa`). */
export type InteractionOutcome =
  | {
      readonly kind: "login";
      readonly accountId: string;
      readonly amr: readonly string[];
      /** Epoch seconds of this authentication. */
      readonly authTime: number;
    }
  | { readonly kind: "consent" }
  | { readonly kind: "abort" };

/** A pending device authorization (RFC 8628) as the approval page shows it. */
export interface DeviceCodeView {
  /** Normalised: upper case, no separator (the form shows it as XXXX-XXXX). */
  readonly userCode: string;
  readonly clientId: string;
  readonly clientName: string;
  /** The address the device authorization request came from (not the approving browser). */
  readonly requestIp: string;
  readonly requestUserAgent: string;
  readonly scopes: readonly string[];
}

/** The portal's signed-in user when approving a device code. */
export interface PortalPrincipal {
  readonly accountId: string;
  readonly amr: readonly string[];
  readonly authTime: number;
}

/** One sign-in attempt for the sign-in log (issue 4 item 5). Failure reasons are never shown to users. */
export interface SignInEvent {
  readonly at: number;
  readonly ip: string;
  readonly userAgent: string;
  readonly upn?: string;
  readonly accountId?: string;
  readonly clientId?: string;
  readonly method: "password" | "totp" | "passkey" | "device_code" | "federated";
  readonly result: "success" | "failure" | "locked" | "denied";
  readonly reason?: string;
  /**
   * A federated attempt: the upstream provider whose callback it came back to. A failure without
   * an account goes to that provider's tenant's log (not another tenant's).
   */
  readonly identityProviderId?: string;
}

/** An upstream identity provider as the sign-in page offers it ("Sign in with <displayName>"). */
export interface FederatedProviderView {
  /** What the sign-in URL names it by (names are unique in a tenant only). */
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  /** Its tenant, given when providers of more than one tenant are offered. */
  readonly tenant?: { readonly name: string; readonly displayName: string };
}

export interface SignInBackend {
  /** The upstream providers to offer on the sign-in page (absent: none). */
  listIdentityProviders?(): Promise<readonly FederatedProviderView[]>;
  /**
   * Starts a sign-in at the provider: where to send the browser, and the pending request (opaque
   * to the portal, which keeps it server-side for the callback).
   */
  startFederatedSignIn?(providerId: string, redirectUri: string): Promise<{ url: string; pending: string }>;
  /**
   * Verifies the provider's answer (the callback URL as the browser brought it, to the callback of
   * `providerId`) and returns the hostpass account it maps to (bound, or created just in time, in
   * the provider's tenant) with the session's `amr`. A pending request made for another provider
   * is refused. Fails with a HostpassError whose message the page shows.
   */
  finishFederatedSignIn?(
    providerId: string,
    pending: string,
    callbackUrl: string,
    request: RequestInfo,
  ): Promise<{ readonly account: SignInAccount; readonly amr: readonly string[] }>;

  /** `undefined` when the interaction is unknown or expired. */
  lookupInteraction(uid: string, request: RequestInfo): Promise<InteractionView | undefined>;
  /** Returns where to send the browser next (oidc-provider's `returnTo` with the result saved). */
  finishInteraction(
    uid: string,
    outcome: InteractionOutcome,
    request: RequestInfo,
  ): Promise<{ readonly redirectTo: string }>;

  /**
   * Checks a password with the same work whether or not the user exists. `undefined` for an
   * unknown, disabled or locked-out account or a wrong password: the page cannot tell them apart.
   */
  verifyPassword(upn: string, password: string, request: RequestInfo): Promise<SignInAccount | undefined>;
  /** The account if it exists and is enabled (a disabled user's portal session stops working). */
  getAccount(accountId: string): Promise<SignInAccount | undefined>;
  listFactors(accountId: string): Promise<AccountFactors>;
  /** Verifies against the stored secret and records the step so the code cannot be used twice. */
  verifyTotp(accountId: string, code: string, nowMs: number): Promise<boolean>;
  /** Stores a confirmed TOTP secret (the caller seals it) with the step of the confirming code. */
  saveTotp(accountId: string, secret: string, lastUsedStep: number): Promise<void>;
  /** The enabled account owning this credential id; `undefined` when unknown or disabled. */
  findPasskeyOwner(credentialId: string): Promise<SignInAccount | undefined>;
  addPasskey(accountId: string, passkey: Passkey): Promise<void>;
  /** Saves the new signature counter after a successful assertion. */
  updatePasskey(accountId: string, passkey: Passkey): Promise<void>;

  /** `userCode` is normalised (see DeviceCodeView); `undefined` when unknown, used or expired. */
  lookupDeviceCode(userCode: string, request: RequestInfo): Promise<DeviceCodeView | undefined>;
  approveDeviceCode(userCode: string, principal: PortalPrincipal, request: RequestInfo): Promise<void>;
  denyDeviceCode(userCode: string, request: RequestInfo): Promise<void>;

  recordSignIn(event: SignInEvent): Promise<void>;

  /**
   * Replaces the account's password with one the user chose. `currentPassword` is checked unless
   * omitted, which only a sign-in that has just verified it may do (a temporary password being
   * replaced). Fails with a HostpassError (wrong current password, policy, same as before).
   */
  changePassword(accountId: string, currentPassword: string | undefined, newPassword: string): Promise<void>;
  /** Writes a change to one's own sign-in methods to the activity log. */
  recordSecurityChange(change: SecurityChange): Promise<void>;
}
