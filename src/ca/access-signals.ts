/**
 * Conditional access at issuance: what it learns about a certificate request besides the token
 * (the contracts `AccessSignals` and `AccessSignalSource`), and the decision it makes. How the
 * user signed in comes from the token's `amr`; the sign-in risk from the sign-in log; the device
 * from a registered device key the caller proved it holds. The source is a narrow port the server
 * implements over the store.
 */
import type { SignInLogEntry, SignInLogQuery } from "../audit/index.ts";
import {
  AUTH_METHODS,
  type AuthMethod,
  assessSignInRisk,
  type ClientPlatform,
  type ConditionalAccessPolicy,
  claimsChallenge,
  type DeviceRecord,
  evaluateConditionalAccess,
  LINUX_VM_SIGN_IN_APP,
  type NamedLocation,
  type PolicyEvaluation,
  type RiskLevel,
} from "../policy/index.ts";
import type { CertificateSubject } from "./issue-user-certificate.ts";
import type { AccessDecision, RequestContext, VerifiedSignInToken } from "./request-certificate.ts";

/** A registered device as the directory knows it. */
export interface RegisteredDevice {
  readonly id: string;
  readonly ownerId: string | undefined;
  readonly compliant: boolean;
  readonly keyThumbprint: string;
  readonly platform: ClientPlatform;
}

/** What conditional access reads at issuance; each read is one narrow question. */
export interface AccessSignalSource {
  policies(tenantId: string): Promise<{
    readonly policies: readonly ConditionalAccessPolicy[];
    readonly locations: readonly NamedLocation[];
  }>;
  groupIds(tenantId: string, principalId: string): Promise<readonly string[]>;
  device(tenantId: string, thumbprint: string): Promise<RegisteredDevice | undefined>;
  /** Recent sign-ins, newest first; absent: no risk signal. */
  signIns?(filter: SignInLogQuery, limit: number): Promise<readonly SignInLogEntry[]>;
}

/** Everything conditional access learned about one request, before it decides. */
export interface AccessSignals {
  readonly groupIds: readonly string[];
  readonly device: DeviceRecord | undefined;
  readonly authMethods: readonly AuthMethod[];
  readonly authTime: Date;
  readonly risk: RiskLevel;
}

/** RFC 8176 `amr` values from the token, as conditional access names them (`hwk` is a passkey). */
export function authMethodsOf(amr: readonly string[]): AuthMethod[] {
  const methods = new Set<AuthMethod>();
  for (const m of amr) {
    if (m === "hwk") methods.add("passkey");
    else if ((AUTH_METHODS as readonly string[]).includes(m)) methods.add(m as AuthMethod);
  }
  return [...methods];
}

/**
 * Sign-in risk from the sign-in log (policy/assess-sign-in-risk.ts), from small targeted queries:
 * this principal's attempts of the last 15 minutes, its last success from this address and any
 * success at all (90 days), and this address's attempts of the last 15 minutes (password spray).
 */
export async function riskOf(
  source: Pick<AccessSignalSource, "signIns">,
  who: Pick<CertificateSubject, "tenantId" | "objectId">,
  ip: string,
  time: Date,
): Promise<RiskLevel> {
  const signIns = source.signIns;
  if (!signIns) return "none";
  const since = (seconds: number) => new Date(time.getTime() - seconds * 1000);
  const base = { tenantId: who.tenantId, principalId: who.objectId };
  const pages = await Promise.all([
    signIns({ ...base, from: since(15 * 60) }, 50),
    signIns({ ...base, ip, result: "success", from: since(90 * 86_400) }, 1),
    signIns({ ...base, result: "success", from: since(90 * 86_400) }, 1),
    signIns({ tenantId: who.tenantId, ip, from: since(15 * 60) }, 50),
  ]);
  const seen = new Set<string>();
  const history = pages
    .flat()
    .filter((e) => e.principalId !== undefined && !seen.has(e.id) && seen.add(e.id))
    .map((e) => ({
      principalId: e.principalId as string,
      ip: e.ip,
      time: e.time,
      success: e.result === "success",
    }));
  return assessSignInRisk(history, { principalId: who.objectId, ip, time }).level;
}

/**
 * The registered device whose key signed this request's device proof, if it belongs to the caller
 * (or to nobody in particular). Registered means "proved possession now"; compliance is the flag
 * an administrator (or an MDM) set on it.
 */
export async function deviceOf(
  source: Pick<AccessSignalSource, "device">,
  who: Pick<CertificateSubject, "tenantId" | "objectId">,
  thumbprint: string | undefined,
): Promise<DeviceRecord | undefined> {
  if (thumbprint === undefined) return undefined;
  const device = await source.device(who.tenantId, thumbprint);
  if (!device || (device.ownerId !== undefined && device.ownerId !== who.objectId)) return undefined;
  return {
    id: device.id,
    registered: true,
    compliant: device.compliant,
    keyThumbprint: device.keyThumbprint,
    platform: device.platform,
  };
}

/**
 * Conditional access for Linux VM Sign-In: the decision (lifetime cap, policies applied) and every
 * evaluation for the sign-in log; a shortfall throws the claims challenge or the block.
 */
export async function decideIssuanceAccess(
  source: AccessSignalSource,
  who: CertificateSubject,
  token: VerifiedSignInToken,
  context: RequestContext,
  now: Date,
  evaluated: (evaluations: readonly PolicyEvaluation[]) => void,
): Promise<AccessDecision> {
  const { policies, locations } = await source.policies(who.tenantId);
  // Without any policy nothing reads groups or the device: a tenant without conditional access
  // pays for none of its lookups.
  const [groupIds, device] =
    policies.length === 0
      ? [[], undefined]
      : await Promise.all([
          source.groupIds(who.tenantId, who.objectId),
          deviceOf(source, who, context.deviceThumbprint),
        ]);
  const signals: AccessSignals = {
    groupIds,
    device,
    authMethods: authMethodsOf(token.amr),
    authTime: new Date((token.authTime ?? 0) * 1000),
    // The log is read only when some policy has a sign-in risk condition.
    risk: policies.some((p) => p.state !== "disabled" && p.conditions.signInRiskLevels?.length)
      ? await riskOf(source, who, context.ip, now)
      : "none",
  };
  const result = evaluateConditionalAccess(
    policies,
    {
      principal: {
        id: who.objectId,
        kind: who.kind === "user" ? "user" : "servicePrincipal",
        groupIds: signals.groupIds,
      },
      appId: LINUX_VM_SIGN_IN_APP,
      ip: context.ip,
      platform: signals.device?.platform ?? "other",
      ...(signals.device ? { device: signals.device } : {}),
      session: { authMethods: [...signals.authMethods], authTime: signals.authTime },
      risk: signals.risk,
      now,
    },
    locations,
  );
  evaluated(result.evaluated);
  const challenge = claimsChallenge(result);
  if (challenge) throw challenge;
  return {
    ...(result.certificateLifetimeCap !== undefined
      ? { lifetimeCapSeconds: result.certificateLifetimeCap }
      : {}),
    policiesApplied: result.evaluated.filter((e) => e.applied).map((e) => e.policyId),
  };
}
