/**
 * What conditional access learns about a certificate request besides the token: how the user
 * signed in, the sign-in risk (from the sign-in log), the device that proved itself; and the
 * request's own sign-in log entry.
 */
import { randomUUID } from "node:crypto";
import type { CertificateSubject, RequestContext, VerifiedSignInToken } from "../ca/index.ts";
import type { DirectoryRepository } from "../directory/index.ts";
import {
  AUTH_METHODS,
  type AuthMethod,
  assessSignInRisk,
  type DeviceRecord,
  LINUX_VM_SIGN_IN_APP,
  type PolicyEvaluation,
  type RiskLevel,
} from "../policy/index.ts";
import type { CertificateWiring } from "./wire-certificates.ts";

/** RFC 8176 `amr` values from the token, as conditional access names them (`hwk` is a passkey). */
export function authMethodsOf(amr: readonly string[]): AuthMethod[] {
  const methods = new Set<AuthMethod>();
  for (const m of amr) {
    if (m === "hwk") methods.add("passkey");
    else if ((AUTH_METHODS as readonly string[]).includes(m)) methods.add(m as AuthMethod);
  }
  return [...methods];
}

/** The sign-in log's view of a certificate request: Linux VM Sign-In, with every policy evaluated. */
export async function logSignIn(
  w: CertificateWiring,
  input: RequestContext,
  token: VerifiedSignInToken | undefined,
  subject: CertificateSubject | undefined,
  evaluated: readonly PolicyEvaluation[],
  error: unknown,
): Promise<void> {
  if (!w.signInLog || !token) return;
  const code = (error as { code?: string } | undefined)?.code;
  const result =
    error === undefined
      ? "success"
      : code === "ERR_INTERACTION_REQUIRED"
        ? "interrupted"
        : code === "ERR_ACCESS_BLOCKED"
          ? "denied"
          : "failure";
  const mfa = token.amr.find((m) => m === "otp" || m === "hwk");
  await w.signInLog.append({
    id: randomUUID(),
    time: (w.now ?? (() => new Date()))(),
    tenantId: token.tenantId,
    principalId: token.objectId,
    ...(subject ? { principalName: subject.linuxName, principalKind: subject.kind } : {}),
    ...(token.clientId ? { appId: token.clientId } : {}),
    resource: LINUX_VM_SIGN_IN_APP,
    ip: input.ip,
    userAgent: input.userAgent,
    result,
    ...(error === undefined
      ? {}
      : { failureReason: `${code ?? "ERR_INTERNAL"}: ${(error as Error).message}` }),
    ...(mfa ? { mfaMethod: mfa === "otp" ? "totp" : "passkey" } : {}),
    policies: evaluated,
    correlationId: randomUUID(),
  });
}

/**
 * Sign-in risk from the sign-in log (policy/assess-sign-in-risk.ts), from small targeted queries:
 * this principal's attempts of the last 15 minutes, its last success from this address and any
 * success at all (90 days), and this address's attempts of the last 15 minutes (password spray).
 */
export async function riskOf(
  w: CertificateWiring,
  who: CertificateSubject,
  ip: string,
  time: Date,
): Promise<RiskLevel> {
  const log = w.signInLog;
  if (!log?.query) return "none";
  const since = (seconds: number) => new Date(time.getTime() - seconds * 1000);
  const base = { tenantId: who.tenantId, principalId: who.objectId };
  const pages = await Promise.all([
    log.query({ ...base, from: since(15 * 60) }, { limit: 50 }),
    log.query({ ...base, ip, result: "success", from: since(90 * 86_400) }, { limit: 1 }),
    log.query({ ...base, result: "success", from: since(90 * 86_400) }, { limit: 1 }),
    log.query({ tenantId: who.tenantId, ip, from: since(15 * 60) }, { limit: 50 }),
  ]);
  const seen = new Set<string>();
  const history = pages
    .flatMap((p) => p.items)
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
  directory: DirectoryRepository,
  who: CertificateSubject,
  thumbprint: string | undefined,
): Promise<DeviceRecord | undefined> {
  if (thumbprint === undefined) return undefined;
  const device = await directory.findDeviceByThumbprint(who.tenantId, thumbprint);
  if (!device || (device.ownerId !== undefined && device.ownerId !== who.objectId)) return undefined;
  return {
    id: device.id,
    registered: true,
    compliant: device.compliant,
    keyThumbprint: device.keyThumbprint,
    platform: device.platform,
  };
}
