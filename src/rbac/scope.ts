/**
 * Scopes and resource ids, compared segment by segment and case-insensitively like Azure (ASCII
 * case only: no other folding).
 *
 * Accepted shapes (provider namespaces may carry Azure's `Microsoft.` prefix, which is dropped
 * when comparing, so `Microsoft.Compute` and `Compute` are the same):
 *   /
 *   /providers/Management/managementGroups/<mg>
 *   /subscriptions/<sub>
 *   /subscriptions/<sub>/resourceGroups/<rg>
 *   /subscriptions/<sub>[/resourceGroups/<rg>]/providers/<ns>/<type>/<name>[/<type>/<name>...]
 * A nested resource (a scale-set instance `.../virtualMachineScaleSets/ss/virtualMachines/0`)
 * has its parent resource as an ancestor, so an assignment on the scale set covers it.
 */
import { InvalidScopeError } from "./errors.ts";

export type ScopeLevel = "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

export interface ParsedScope {
  /** The normalised key of the scope itself (lower case, namespace without `microsoft.`). */
  readonly key: string;
  readonly level: ScopeLevel;
  /** Keys of the scope and its structural ancestors, most specific first; no management groups, no "/". */
  readonly chain: readonly string[];
  /** Where management-group ancestry starts: the subscription or management group, as written. */
  readonly top: string | undefined;
}

export const ROOT_SCOPE = "/";
const MAX_SCOPE_LENGTH = 2048;
const MAX_SEGMENTS = 32;
// Letters and digits of any script plus the punctuation Azure names allow; no `%`, `\`, spaces
// or control characters, so encoded separators and traversal cannot sneak in.
const SEGMENT = /^[\p{L}\p{N}_.()~-]+$/u;
const DOTS = /^\.+$/;

function fail(scope: string, why: string): never {
  const shown = scope.length > 200 ? `${scope.slice(0, 200)}...` : scope;
  throw new InvalidScopeError(`invalid scope '${shown}': ${why}`);
}

/**
 * Lower case for ASCII letters only. `toLowerCase` also folds other scripts, and some fold into
 * ASCII (the Kelvin sign U+212A becomes `k`), which would let a look-alike scope match a real one.
 */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

function namespaceKey(ns: string): string {
  return ns.startsWith("microsoft.") ? ns.slice("microsoft.".length) : ns;
}

/** Parses and validates a scope or resource id. Throws `InvalidScopeError`. */
export function parseScope(scope: string): ParsedScope {
  if (typeof scope !== "string") throw new InvalidScopeError("scope must be a string");
  if (scope === ROOT_SCOPE) return { key: ROOT_SCOPE, level: "root", chain: [], top: undefined };
  if (scope.length > MAX_SCOPE_LENGTH) fail(scope, "too long");
  if (scope[0] !== "/") fail(scope, "must start with '/'");
  const segs = scope.slice(1).split("/");
  if (segs.length > MAX_SEGMENTS) fail(scope, "too deeply nested");
  const low: string[] = new Array(segs.length);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i] as string;
    if (!SEGMENT.test(s) || DOTS.test(s)) fail(scope, `bad segment ${i + 1}`);
    low[i] = asciiLower(s);
  }
  const keyOf = (n: number): string => `/${low.slice(0, n).join("/")}`;

  if (low[0] === "providers") {
    if (
      segs.length !== 4 ||
      namespaceKey(low[1] as string) !== "management" ||
      low[2] !== "managementgroups"
    ) {
      fail(scope, "expected /providers/Management/managementGroups/<name>");
    }
    low[1] = "management";
    const key = keyOf(4);
    return { key, level: "managementGroup", chain: [key], top: scope };
  }
  if (low[0] !== "subscriptions" || segs.length < 2) fail(scope, "expected /subscriptions/<id>");
  const chain: string[] = [keyOf(2)];
  let level: ScopeLevel = "subscription";
  let i = 2;
  if (segs.length > 2 && low[2] === "resourcegroups") {
    if (segs.length < 4) fail(scope, "missing resource group name");
    chain.push(keyOf(4));
    level = "resourceGroup";
    i = 4;
  }
  if (segs.length > i) {
    const pairs = segs.length - i - 2;
    if (low[i] !== "providers" || pairs < 2 || pairs % 2 !== 0) {
      fail(scope, "expected .../providers/<namespace>/<type>/<name>");
    }
    low[i + 1] = namespaceKey(low[i + 1] as string);
    for (let n = i + 4; n <= segs.length; n += 2) chain.push(keyOf(n));
    level = "resource";
  }
  chain.reverse();
  return { key: chain[0] as string, level, chain, top: `/${segs[0]}/${segs[1]}` };
}

/** The normalised comparison key of a scope. Throws `InvalidScopeError`. */
export function scopeKey(scope: string): string {
  return parseScope(scope).key;
}

/**
 * Whether `inner` is `outer` or lies below it, ignoring management groups (which need the
 * resource tree). Segment-aware: `/subscriptions/s/resourceGroups/rg1` does not contain `.../rg10`.
 */
export function isWithinScope(inner: string, outer: string): boolean {
  const o = scopeKey(outer);
  if (o === ROOT_SCOPE) return true;
  const i = scopeKey(inner);
  return i === o || i.startsWith(`${o}/`);
}
