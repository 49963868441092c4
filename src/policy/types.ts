/**
 * The data conditional access works on. Everything here is plain, readonly data: the caller loads
 * policies, named locations, the device record and the sign-in history; this folder only decides.
 */
import { LINUX_VM_SIGN_IN_APP_ID } from "../shared/well-known.ts";

/**
 * The resource application every hostpass SSH certificate is issued for. Policies target it by id;
 * the seed's id for "Azure Linux VM Sign-In" is accepted as an alias so that policies and scopes
 * written for the seed keep their meaning (`canonicalAppId`). The value is the one src/auth
 * registers (`LINUX_VM_SIGN_IN_APP_ID`); it never changes, and both come from src/shared/well-known.ts.
 */
export const LINUX_VM_SIGN_IN_APP = LINUX_VM_SIGN_IN_APP_ID;
export const LINUX_VM_SIGN_IN_APP_NAME = "Linux VM Sign-In";
export const SEED_LINUX_VM_SIGN_IN_APP = "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0";

/** Maps the seed's app id to hostpass's; any other id is returned unchanged. */
export function canonicalAppId(appId: string): string {
  return appId.toLowerCase() === SEED_LINUX_VM_SIGN_IN_APP ? LINUX_VM_SIGN_IN_APP : appId;
}

export const POLICY_STATES = ["enabled", "disabled", "reportOnly"] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

/** The same names as `DevicePlatform` in src/directory, so a device record's platform fits as is. */
export const CLIENT_PLATFORMS = ["linux", "macos", "windows", "ios", "android", "other"] as const;
export type ClientPlatform = (typeof CLIENT_PLATFORMS)[number];

export const RISK_LEVELS = ["none", "low", "medium", "high"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Device states a sign-in has: one of each pair (an unregistered device is never compliant). */
export const DEVICE_STATES = ["registered", "unregistered", "compliant", "nonCompliant"] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** `block` is exclusive: validation refuses it next to another control. */
export const GRANT_CONTROLS = ["block", "mfa", "compliantDevice"] as const;
export type GrantControl = (typeof GRANT_CONTROLS)[number];

export const GRANT_OPERATORS = ["AND", "OR"] as const;
export type GrantOperator = (typeof GRANT_OPERATORS)[number];

/** What a session can lack. The CLI re-prompts for exactly these. */
export const REQUIREMENTS = ["mfa", "compliantDevice", "reauthenticate"] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

export const AUTH_METHODS = ["pwd", "otp", "mfa", "passkey"] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export const FREQUENCY_UNITS = ["minutes", "hours", "days"] as const;
export type FrequencyUnit = (typeof FREQUENCY_UNITS)[number];

/** Reserved location reference: every named location marked `trusted`. */
export const ALL_TRUSTED = "AllTrusted";

/** `include: "All"` or an explicit list; `exclude` always wins over `include`. */
export interface IncludeExclude<T extends string> {
  readonly include: "All" | readonly T[];
  readonly exclude: readonly T[];
}

export interface ConditionalAccessPolicy {
  readonly id: string;
  readonly name: string;
  readonly state: PolicyState;
  readonly assignments: {
    /** User object ids. "All" means every user, never service principals. */
    readonly users: IncludeExclude<string>;
    /** Group ids, matched against the principal's transitive groups; users only. */
    readonly groups: IncludeExclude<string>;
    /** Service principal (and managed identity) object ids. */
    readonly servicePrincipals: IncludeExclude<string>;
    readonly applications: IncludeExclude<string>;
  };
  /** An absent condition does not narrow the policy. */
  readonly conditions: {
    /** Named location ids or `AllTrusted`. */
    readonly locations?: IncludeExclude<string>;
    readonly platforms?: IncludeExclude<ClientPlatform>;
    /** The policy applies when the sign-in's risk is one of these. */
    readonly signInRiskLevels?: readonly RiskLevel[];
    readonly devices?: IncludeExclude<DeviceState>;
  };
  readonly grantControls?: {
    readonly operator: GrantOperator;
    readonly controls: readonly GrantControl[];
  };
  readonly sessionControls?: {
    readonly signInFrequency?: { readonly value: number; readonly unit: FrequencyUnit };
  };
}

/** One parsed CIDR range; IPv4 is kept apart from IPv6 (see lib/ip.ts). */
export interface IpRange {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

export interface NamedLocation {
  readonly id: string;
  readonly name: string;
  readonly trusted: boolean;
  /** Canonical text of each range, for display and storage. */
  readonly cidrs: readonly string[];
  readonly ranges: readonly IpRange[];
}

/** A client device as the directory holds it. Only read here: registration lives in src/directory. */
export interface DeviceRecord {
  readonly id: string;
  /** True only when the client proved possession of the registered device key in this request. */
  readonly registered: boolean;
  readonly compliant: boolean;
  readonly keyThumbprint?: string;
  readonly platform?: ClientPlatform;
}

export interface SignInContext {
  readonly principal: {
    readonly id: string;
    readonly kind: "user" | "servicePrincipal";
    /** Transitive group ids. */
    readonly groupIds: readonly string[];
  };
  readonly appId: string;
  /** The client address as the server saw it (IPv4, IPv6 or IPv4-mapped IPv6). */
  readonly ip: string;
  /** Self-reported by the client unless a registered device says otherwise. */
  readonly platform: ClientPlatform;
  readonly device?: DeviceRecord;
  readonly session: {
    readonly authMethods: readonly AuthMethod[];
    readonly authTime: Date;
    readonly mfaTime?: Date;
  };
  readonly risk: RiskLevel;
  readonly now: Date;
}

export const POLICY_RESULTS = [
  "success",
  "failure",
  "interrupted",
  "notApplied",
  "notEnabled",
  "reportOnlySuccess",
  "reportOnlyFailure",
  "reportOnlyInterrupted",
  "reportOnlyNotApplied",
] as const;
export type PolicyResult = (typeof POLICY_RESULTS)[number];

/** One line of the sign-in log's conditional access tab. */
export interface PolicyEvaluation {
  readonly policyId: string;
  readonly name: string;
  readonly state: PolicyState;
  /** The policy was in scope and enforced (report-only policies are never `applied`). */
  readonly applied: boolean;
  readonly result: PolicyResult;
  readonly reason: string;
  /** What this policy needed that the session lacked (also for report-only policies). */
  readonly unmet: readonly Requirement[];
}

export interface ConditionalAccessResult {
  readonly decision: "grant" | "block" | "challenge";
  /** Empty unless the decision is `challenge`. */
  readonly missing: readonly Requirement[];
  /** The shortest sign-in frequency among enforced policies in scope, in seconds. */
  readonly certificateLifetimeCap?: number;
  readonly evaluated: readonly PolicyEvaluation[];
}
