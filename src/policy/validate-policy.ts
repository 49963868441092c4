/** Turns an untrusted policy document into a frozen `ConditionalAccessPolicy`, or says what is wrong. */
import { InvalidPolicyError } from "./errors.ts";
import {
  NOBODY,
  readId,
  readIncludeExclude,
  readList,
  readObject,
  readOneOf,
  readText,
} from "./lib/checks.ts";
import {
  ALL_TRUSTED,
  CLIENT_PLATFORMS,
  type ConditionalAccessPolicy,
  canonicalAppId,
  DEVICE_STATES,
  FREQUENCY_UNITS,
  type FrequencyUnit,
  GRANT_CONTROLS,
  GRANT_OPERATORS,
  POLICY_STATES,
  RISK_LEVELS,
} from "./types.ts";

export interface ValidatePolicyOptions {
  /** When given, every location id a policy names must be one of these. */
  readonly namedLocationIds?: ReadonlySet<string>;
}

const UNIT_SECONDS: Readonly<Record<FrequencyUnit, number>> = { minutes: 60, hours: 3600, days: 86400 };
const MIN_FREQUENCY = 60;
const MAX_FREQUENCY = 365 * 86400;

/** Sign-in frequency in seconds. */
export function frequencySeconds(f: { readonly value: number; readonly unit: FrequencyUnit }): number {
  return f.value * UNIT_SECONDS[f.unit];
}

function appId(v: unknown, p: string): string {
  return canonicalAppId(readId(v, p));
}

export function validateConditionalAccessPolicy(
  doc: unknown,
  options: ValidatePolicyOptions = {},
): ConditionalAccessPolicy {
  const o = readObject(doc, "", [
    "id",
    "name",
    "state",
    "assignments",
    "conditions",
    "grantControls",
    "sessionControls",
  ]);
  const id = readId(o.id, "id");
  const name = readText(o.name, "name", 256);
  const state = readOneOf(o.state, "state", POLICY_STATES);

  const a = readObject(o.assignments, "assignments", [
    "users",
    "groups",
    "servicePrincipals",
    "applications",
  ]);
  const principals = (key: string) =>
    a[key] === undefined
      ? NOBODY
      : readIncludeExclude(a[key], `assignments.${key}`, readId, { emptyInclude: true });
  const users = principals("users");
  const groups = principals("groups");
  const servicePrincipals = principals("servicePrincipals");
  if (groups.include === "All")
    throw new InvalidPolicyError("assignments.groups.include", "cannot be 'All'; use users");
  if ([users, groups, servicePrincipals].every((x) => x.include !== "All" && x.include.length === 0)) {
    throw new InvalidPolicyError("assignments", "must include at least one user, group or service principal");
  }
  const applications = readIncludeExclude(a.applications, "assignments.applications", appId, {
    emptyInclude: false,
  });

  const c = readObject(o.conditions ?? {}, "conditions", [
    "locations",
    "platforms",
    "signInRiskLevels",
    "devices",
  ]);
  const locationRef = (v: unknown, p: string): string => {
    if (v === ALL_TRUSTED) return ALL_TRUSTED;
    const ref = readId(v, p);
    if (options.namedLocationIds && !options.namedLocationIds.has(ref)) {
      throw new InvalidPolicyError(p, `no named location '${ref}'`);
    }
    return ref;
  };
  const conditions = Object.freeze({
    ...(c.locations === undefined
      ? {}
      : {
          locations: readIncludeExclude(c.locations, "conditions.locations", locationRef, {
            emptyInclude: false,
          }),
        }),
    ...(c.platforms === undefined
      ? {}
      : {
          platforms: readIncludeExclude(
            c.platforms,
            "conditions.platforms",
            (v, p) => readOneOf(v, p, CLIENT_PLATFORMS),
            { emptyInclude: false },
          ),
        }),
    ...(c.signInRiskLevels === undefined
      ? {}
      : {
          signInRiskLevels: readList(
            c.signInRiskLevels,
            "conditions.signInRiskLevels",
            (v, p) => readOneOf(v, p, RISK_LEVELS),
            {
              nonEmpty: true,
            },
          ),
        }),
    ...(c.devices === undefined
      ? {}
      : {
          devices: readIncludeExclude(
            c.devices,
            "conditions.devices",
            (v, p) => readOneOf(v, p, DEVICE_STATES),
            {
              emptyInclude: false,
            },
          ),
        }),
  });

  let grantControls: ConditionalAccessPolicy["grantControls"];
  if (o.grantControls !== undefined) {
    const g = readObject(o.grantControls, "grantControls", ["operator", "controls"]);
    const operator = readOneOf(g.operator, "grantControls.operator", GRANT_OPERATORS);
    const controls = readList(
      g.controls,
      "grantControls.controls",
      (v, p) => readOneOf(v, p, GRANT_CONTROLS),
      {
        nonEmpty: true,
      },
    );
    // Entra's rule: "Block access" cannot be combined with a grant control, because the meaning
    // of "block OR mfa" would be "mfa" and of "block AND mfa" would be "block".
    if (controls.includes("block") && controls.length > 1) {
      throw new InvalidPolicyError(
        "grantControls.controls",
        "'block' cannot be combined with other controls",
      );
    }
    grantControls = Object.freeze({ operator, controls });
  }

  let sessionControls: ConditionalAccessPolicy["sessionControls"];
  if (o.sessionControls !== undefined) {
    const s = readObject(o.sessionControls, "sessionControls", ["signInFrequency"]);
    if (s.signInFrequency !== undefined) {
      const f = readObject(s.signInFrequency, "sessionControls.signInFrequency", ["value", "unit"]);
      const unit = readOneOf(f.unit, "sessionControls.signInFrequency.unit", FREQUENCY_UNITS);
      const value = f.value;
      if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
        throw new InvalidPolicyError("sessionControls.signInFrequency.value", "must be a positive integer");
      }
      const seconds = frequencySeconds({ value, unit });
      if (seconds < MIN_FREQUENCY || seconds > MAX_FREQUENCY) {
        throw new InvalidPolicyError(
          "sessionControls.signInFrequency",
          "must be between 1 minute and 365 days",
        );
      }
      sessionControls = Object.freeze({ signInFrequency: Object.freeze({ value, unit }) });
    } else {
      sessionControls = Object.freeze({});
    }
  }

  if (grantControls === undefined && sessionControls?.signInFrequency === undefined) {
    throw new InvalidPolicyError("", "a policy needs grant controls or a session control");
  }

  return Object.freeze({
    id,
    name,
    state,
    assignments: Object.freeze({ users, groups, servicePrincipals, applications }),
    conditions,
    ...(grantControls ? { grantControls } : {}),
    ...(sessionControls ? { sessionControls } : {}),
  });
}
