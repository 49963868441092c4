/**
 * Conditional access as one pure decision over loaded data, evaluated when a token or certificate
 * for Linux VM Sign-In is issued.
 *
 * - Disabled policies are skipped (logged as `notEnabled`).
 * - Report-only policies are evaluated and logged with a `reportOnly*` result, never enforced.
 * - Among enforced policies in scope: any failure (block, or a control the principal can never
 *   meet) blocks; otherwise every policy's controls must be met, and what the session lacks is
 *   returned as `missing` (a challenge); otherwise access is granted. No policy in scope: grant.
 * - `certificateLifetimeCap` is the shortest sign-in frequency among enforced policies in scope.
 */
import { InvalidSignInContextError } from "./errors.ts";
import { normId } from "./lib/checks.ts";
import { type ControlOutcome, evaluateControls, sessionFacts } from "./lib/controls.ts";
import { parseIp } from "./lib/ip.ts";
import { outOfScopeReason, type SignInFacts } from "./lib/scope.ts";
import { locateIp } from "./named-location.ts";
import {
  type ConditionalAccessPolicy,
  type ConditionalAccessResult,
  canonicalAppId,
  type DeviceState,
  type NamedLocation,
  type PolicyEvaluation,
  type PolicyResult,
  REQUIREMENTS,
  type Requirement,
  type SignInContext,
} from "./types.ts";

const REPORT_ONLY: Readonly<Record<"success" | "failure" | "interrupted" | "notApplied", PolicyResult>> = {
  success: "reportOnlySuccess",
  failure: "reportOnlyFailure",
  interrupted: "reportOnlyInterrupted",
  notApplied: "reportOnlyNotApplied",
};

function validDate(d: unknown, what: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime()))
    throw new InvalidSignInContextError(`${what} is not a valid time`);
}

function signInFacts(ctx: SignInContext, locations: readonly NamedLocation[]): SignInFacts {
  const ip = parseIp(ctx.ip);
  if (ip === undefined) throw new InvalidSignInContextError("the client address is not an IP address");
  validDate(ctx.now, "now");
  validDate(ctx.session.authTime, "authTime");
  if (ctx.session.mfaTime !== undefined) validDate(ctx.session.mfaTime, "mfaTime");
  const where = locateIp(locations, ip);
  const d = ctx.device;
  const deviceStates = new Set<DeviceState>();
  deviceStates.add(d?.registered ? "registered" : "unregistered");
  deviceStates.add(d?.registered && d.compliant ? "compliant" : "nonCompliant");
  return {
    principalId: normId(ctx.principal.id),
    kind: ctx.principal.kind,
    groupIds: new Set(ctx.principal.groupIds.map(normId)),
    appId: canonicalAppId(normId(ctx.appId)),
    locationIds: where.ids,
    trustedLocation: where.trusted,
    knownLocationIds: new Set(locations.map((l) => l.id)),
    // A registered device's platform was recorded at registration; the client's claim is only a claim.
    platform: d?.registered && d.platform ? d.platform : ctx.platform,
    deviceStates,
    risk: ctx.risk,
  };
}

/**
 * What an enforced challenge asks for: every AND need, then for each OR policy still unmet one of
 * its options, unless an option is already asked for. MFA is preferred because the user can do it
 * on the spot; a compliant device cannot be produced by a prompt.
 */
function missingFrom(outcomes: readonly ControlOutcome[]): Requirement[] {
  const need = new Set<Requirement>();
  for (const o of outcomes) {
    if (o.unmet.includes("reauthenticate")) need.add("reauthenticate");
    if (o.operator === "AND") for (const c of o.options) need.add(c);
  }
  for (const o of outcomes) {
    const first = o.options[0];
    if (o.operator !== "OR" || first === undefined) continue;
    if (o.options.some((c) => need.has(c))) continue;
    need.add(o.options.includes("mfa") ? "mfa" : first);
  }
  return REQUIREMENTS.filter((r) => need.has(r));
}

export function evaluateConditionalAccess(
  policies: readonly ConditionalAccessPolicy[],
  context: SignInContext,
  namedLocations: readonly NamedLocation[] = [],
): ConditionalAccessResult {
  const facts = signInFacts(context, namedLocations);
  const session = sessionFacts(context);
  const evaluated: PolicyEvaluation[] = [];
  const enforced: ControlOutcome[] = [];
  let blocked = false;
  let cap: number | undefined;

  for (const p of policies) {
    const entry = { policyId: p.id, name: p.name, state: p.state };
    if (p.state === "disabled") {
      evaluated.push({
        ...entry,
        applied: false,
        result: "notEnabled",
        reason: "policy is disabled",
        unmet: [],
      });
      continue;
    }
    const reportOnly = p.state === "reportOnly";
    const notInScope = outOfScopeReason(p, facts);
    if (notInScope !== undefined) {
      const result = reportOnly ? REPORT_ONLY.notApplied : "notApplied";
      evaluated.push({ ...entry, applied: false, result, reason: notInScope, unmet: [] });
      continue;
    }
    const o = evaluateControls(p, session);
    evaluated.push({
      ...entry,
      applied: !reportOnly,
      result: reportOnly ? REPORT_ONLY[o.outcome] : o.outcome,
      reason: o.reason,
      unmet: o.unmet,
    });
    if (reportOnly) continue;
    if (o.outcome === "failure") blocked = true;
    if (o.outcome === "interrupted") enforced.push(o);
    if (o.frequency !== undefined) cap = cap === undefined ? o.frequency : Math.min(cap, o.frequency);
  }

  const capField = cap === undefined ? {} : { certificateLifetimeCap: cap };
  if (blocked) return { decision: "block", missing: [], ...capField, evaluated };
  const missing = missingFrom(enforced);
  return { decision: missing.length > 0 ? "challenge" : "grant", missing, ...capField, evaluated };
}
