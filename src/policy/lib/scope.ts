/**
 * Whether a sign-in is in a policy's scope: assignments first (application, then principal), then
 * each condition. Exclusion always wins over inclusion. The first reason a policy does not apply
 * is returned for the sign-in log.
 */
import type { ConditionalAccessPolicy, DeviceState, IncludeExclude, RiskLevel } from "../types.ts";
import { ALL_TRUSTED } from "../types.ts";

/** Facts about one sign-in, computed once and shared by every policy. */
export interface SignInFacts {
  readonly principalId: string;
  readonly kind: "user" | "servicePrincipal";
  readonly groupIds: ReadonlySet<string>;
  readonly appId: string;
  readonly locationIds: ReadonlySet<string>;
  readonly trustedLocation: boolean;
  readonly knownLocationIds: ReadonlySet<string>;
  readonly platform: string;
  readonly deviceStates: ReadonlySet<DeviceState>;
  readonly risk: RiskLevel;
}

interface Compiled {
  readonly all: boolean;
  readonly include: ReadonlySet<string>;
  readonly exclude: ReadonlySet<string>;
}

interface CompiledPolicy {
  readonly users: Compiled;
  readonly groups: Compiled;
  readonly servicePrincipals: Compiled;
  readonly applications: Compiled;
  readonly locations: Compiled | undefined;
  readonly platforms: Compiled | undefined;
  readonly risk: ReadonlySet<string> | undefined;
  readonly devices: Compiled | undefined;
}

// Policies are frozen, so their compiled sets can be cached for as long as the object lives.
const cache = new WeakMap<ConditionalAccessPolicy, CompiledPolicy>();

function compile(ie: IncludeExclude<string>): Compiled {
  return {
    all: ie.include === "All",
    include: new Set(ie.include === "All" ? [] : ie.include),
    exclude: new Set(ie.exclude),
  };
}

function compiled(p: ConditionalAccessPolicy): CompiledPolicy {
  let c = cache.get(p);
  if (c === undefined) {
    const k = p.conditions;
    c = {
      users: compile(p.assignments.users),
      groups: compile(p.assignments.groups),
      servicePrincipals: compile(p.assignments.servicePrincipals),
      applications: compile(p.assignments.applications),
      locations: k.locations && compile(k.locations),
      platforms: k.platforms && compile(k.platforms),
      risk: k.signInRiskLevels && new Set(k.signInRiskLevels),
      devices: k.devices && compile(k.devices),
    };
    cache.set(p, c);
  }
  return c;
}

function anyIn(values: ReadonlySet<string>, set: ReadonlySet<string>): boolean {
  if (set.size === 0) return false;
  for (const v of values) if (set.has(v)) return true;
  return false;
}

function principalReason(c: CompiledPolicy, f: SignInFacts): string | undefined {
  if (f.kind === "servicePrincipal") {
    // "All users" and groups never reach service principals; they are targeted on their own.
    if (c.servicePrincipals.exclude.has(f.principalId)) return "service principal excluded";
    if (!c.servicePrincipals.all && !c.servicePrincipals.include.has(f.principalId)) {
      return "service principal not included";
    }
    return undefined;
  }
  if (c.users.exclude.has(f.principalId)) return "user excluded";
  if (anyIn(f.groupIds, c.groups.exclude)) return "group excluded";
  if (c.users.all || c.users.include.has(f.principalId) || anyIn(f.groupIds, c.groups.include))
    return undefined;
  return "user not included";
}

/**
 * A location reference that names no known location (deleted after the policy was written) counts
 * as matching in `include` and never in `exclude`: when in doubt the policy applies.
 */
function locationReason(c: Compiled, f: SignInFacts): string | undefined {
  const has = (ref: string) => (ref === ALL_TRUSTED ? f.trustedLocation : f.locationIds.has(ref));
  for (const ref of c.exclude) if (has(ref)) return "location excluded";
  if (c.all) return undefined;
  for (const ref of c.include)
    if (has(ref) || (ref !== ALL_TRUSTED && !f.knownLocationIds.has(ref))) return undefined;
  return "location not included";
}

function listReason(c: Compiled, values: Iterable<string>, what: string): string | undefined {
  let included = c.all;
  for (const v of values) {
    if (c.exclude.has(v)) return `${what} excluded`;
    if (c.include.has(v)) included = true;
  }
  return included ? undefined : `${what} not included`;
}

/** `undefined` when the policy applies to this sign-in, else why not. */
export function outOfScopeReason(p: ConditionalAccessPolicy, f: SignInFacts): string | undefined {
  const c = compiled(p);
  if (c.applications.exclude.has(f.appId)) return "application excluded";
  if (!c.applications.all && !c.applications.include.has(f.appId)) return "application not included";
  const who = principalReason(c, f);
  if (who) return who;
  if (c.locations) {
    const r = locationReason(c.locations, f);
    if (r) return r;
  }
  if (c.platforms) {
    const r = listReason(c.platforms, [f.platform], "platform");
    if (r) return r;
  }
  if (c.risk && !c.risk.has(f.risk)) return `sign-in risk '${f.risk}' not included`;
  if (c.devices) {
    const r = listReason(c.devices, f.deviceStates, "device state");
    if (r) return r;
  }
  return undefined;
}
