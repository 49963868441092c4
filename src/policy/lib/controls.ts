/**
 * What one in-scope policy asks of the session: its grant controls and its sign-in frequency.
 *
 * Rules (docs/architecture.md, "Conditional access"):
 * - MFA is satisfied by `mfa`, by `passkey` (possession plus user verification), or by `pwd` and
 *   `otp` together. Under a sign-in frequency the MFA must also be that recent (`mfaTime`, else
 *   `authTime`).
 * - A compliant device is a device record that is registered (the client proved its key in this
 *   request) and marked compliant, whatever its platform.
 * - Sign-in frequency F: when `now - authTime > F` the session must re-authenticate.
 * - A service principal cannot do MFA. A policy whose controls can only be met by MFA (AND with
 *   `mfa`, or OR with `mfa` as the only option) fails for it, which blocks the sign-in; a policy
 *   that should not block automation must exclude the service principal.
 */
import type { ConditionalAccessPolicy, GrantControl, Requirement, SignInContext } from "../types.ts";
import { frequencySeconds } from "../validate-policy.ts";

/** The grant controls a session can meet by doing something; `block` is not one of them. */
type StepUp = Exclude<GrantControl, "block">;

export interface SessionFacts {
  readonly kind: "user" | "servicePrincipal";
  readonly hasMfa: boolean;
  /** Seconds since the MFA (or the authentication, when no MFA time is known). */
  readonly mfaAge: number;
  readonly authAge: number;
  readonly compliantDevice: boolean;
}

export function sessionFacts(ctx: SignInContext): SessionFacts {
  const m = ctx.session.authMethods;
  // A service principal's session never counts as MFA, whatever methods it lists.
  const hasMfa =
    ctx.principal.kind === "user" &&
    (m.includes("mfa") || m.includes("passkey") || (m.includes("pwd") && m.includes("otp")));
  const now = ctx.now.getTime();
  const authAge = (now - ctx.session.authTime.getTime()) / 1000;
  const mfaAge = ctx.session.mfaTime ? (now - ctx.session.mfaTime.getTime()) / 1000 : authAge;
  const d = ctx.device;
  return {
    kind: ctx.principal.kind,
    hasMfa,
    mfaAge,
    authAge,
    compliantDevice: d?.registered === true && d.compliant,
  };
}

export interface ControlOutcome {
  readonly outcome: "success" | "failure" | "interrupted";
  readonly reason: string;
  /** Unmet needs; for an OR policy these are alternatives, any one of which would do. */
  readonly unmet: readonly Requirement[];
  /** The controls the session could still satisfy (MFA is not among them for a service principal). */
  readonly options: readonly StepUp[];
  readonly operator: "AND" | "OR";
  readonly frequency: number | undefined;
}

export function evaluateControls(p: ConditionalAccessPolicy, s: SessionFacts): ControlOutcome {
  const f = p.sessionControls?.signInFrequency;
  const frequency = f ? frequencySeconds(f) : undefined;
  const g = p.grantControls;
  const operator = g?.operator ?? "AND";
  const controls = g?.controls ?? [];
  const base = { operator, frequency };
  if (controls.includes("block")) {
    return { ...base, outcome: "failure", reason: "block access", unmet: [], options: [] };
  }
  const stepUps = controls.filter((c): c is StepUp => c !== "block");
  const satisfied = (c: StepUp): boolean =>
    c === "mfa" ? s.hasMfa && (frequency === undefined || s.mfaAge <= frequency) : s.compliantDevice;
  let unmet: StepUp[] = stepUps.filter((c) => !satisfied(c));
  if (operator === "OR" && unmet.length < stepUps.length) unmet = [];
  const stale = frequency !== undefined && s.authAge > frequency;
  const options = s.kind === "servicePrincipal" ? unmet.filter((c) => c !== "mfa") : unmet;
  const impossible =
    operator === "AND" ? options.length < unmet.length : unmet.length > 0 && options.length === 0;
  const needs: Requirement[] = [...unmet, ...(stale ? (["reauthenticate"] as const) : [])];
  if (impossible) {
    return {
      ...base,
      outcome: "failure",
      reason: "requires MFA, which a service principal cannot do",
      unmet: needs,
      options,
    };
  }
  if (needs.length === 0) {
    return {
      ...base,
      outcome: "success",
      reason: g ? "grant controls satisfied" : "session controls satisfied",
      unmet,
      options,
    };
  }
  const what = unmet.length === 0 ? "" : `requires ${unmet.join(operator === "OR" ? " or " : " and ")}`;
  const reason = [stale ? "sign-in frequency exceeded" : "", what].filter((x) => x !== "").join("; ");
  return { ...base, outcome: "interrupted", reason, unmet: needs, options };
}
