/** Test helpers: policy documents with defaults, and a sign-in context to vary. */
import type { SignInContext } from "../types.ts";
import { LINUX_VM_SIGN_IN_APP } from "../types.ts";
import { validateConditionalAccessPolicy } from "../validate-policy.ts";

export const NOW = new Date("2026-11-24T12:00:00Z");
export const ALICE = "11111111-1111-4111-8111-111111111111";
export const BOB = "22222222-2222-4222-8222-222222222222";
export const ROBOT = "33333333-3333-4333-8333-333333333333";
export const ADMINS = "44444444-4444-4444-8444-444444444444";
export const BREAK_GLASS = "55555555-5555-4555-8555-555555555555";

let seq = 0;

/** A valid policy document: enabled, all users, Linux VM Sign-In, require MFA; override any part. */
export function doc(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    id: `p${seq}`,
    name: `policy ${seq}`,
    state: "enabled",
    assignments: { users: { include: "All" }, applications: { include: [LINUX_VM_SIGN_IN_APP] } },
    grantControls: { operator: "AND", controls: ["mfa"] },
    ...over,
  };
}

export function policy(over: Record<string, unknown> = {}) {
  return validateConditionalAccessPolicy(doc(over));
}

export interface CtxOverrides {
  readonly principal?: Partial<SignInContext["principal"]>;
  readonly session?: Partial<SignInContext["session"]>;
  readonly appId?: string;
  readonly ip?: string;
  readonly platform?: SignInContext["platform"];
  readonly device?: SignInContext["device"];
  readonly risk?: SignInContext["risk"];
  readonly now?: Date;
}

/** Alice, from 203.0.113.7 on Linux, signed in with a password one minute ago, no device, no risk. */
export function ctx(over: CtxOverrides = {}): SignInContext {
  const now = over.now ?? NOW;
  return {
    principal: { id: ALICE, kind: "user", groupIds: [], ...over.principal },
    appId: over.appId ?? LINUX_VM_SIGN_IN_APP,
    ip: over.ip ?? "203.0.113.7",
    platform: over.platform ?? "linux",
    ...(over.device ? { device: over.device } : {}),
    session: { authMethods: ["pwd"], authTime: new Date(now.getTime() - 60_000), ...over.session },
    risk: over.risk ?? "none",
    now,
  };
}

export const MFA_SESSION = { authMethods: ["pwd", "mfa"] } as const;
export const COMPLIANT_LINUX = { id: "dev-1", registered: true, compliant: true, platform: "linux" } as const;
