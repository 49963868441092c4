/**
 * SCIM filters (RFC 7644 §3.4.2.2): parsed by `scim2-parse-filter`, checked against the
 * attributes hostpass has, evaluated here over the resource as SCIM shows it. Nothing of a filter
 * ever reaches SQL: the one fast path (`userName`/`externalId`/`id`/`displayName eq "…"`) is a
 * parameterised lookup by the route, everything else is evaluated in memory.
 * String comparison ignores case except for caseExact attributes (ids, externalId, meta).
 */
import { type Filter, parse } from "scim2-parse-filter";
import { ScimInvalidFilterError } from "../errors.ts";
import {
  CASE_EXACT,
  ENTERPRISE_USER_SCHEMA,
  FILTERABLE,
  GROUP_SCHEMA,
  HOSTPASS_USER_SCHEMA,
  USER_SCHEMA,
} from "./schemas.ts";

export type { Filter };

type ResourceType = "User" | "Group";

const MAX_FILTER_LENGTH = 2048;
const MAX_NODES = 64;

/** Parses and checks a filter; an unknown attribute or a malformed one is `invalidFilter`. */
export function parseScimFilter(text: string, type: ResourceType): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw new ScimInvalidFilterError("the filter is too long");
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw new ScimInvalidFilterError("the filter does not parse");
  }
  let nodes = 0;
  const check = (f: Filter, inValuePath: boolean): void => {
    if (++nodes > MAX_NODES) throw new ScimInvalidFilterError("the filter has too many terms");
    switch (f.op) {
      case "and":
      case "or":
        for (const c of f.filters) check(c, inValuePath);
        return;
      case "not":
        check(f.filter, inValuePath);
        return;
      case "[]":
        checkPath(f.attrPath, type);
        check(f.valFilter, true);
        return;
      default:
        if (!inValuePath) checkPath(f.attrPath, type);
        else if (!/^[A-Za-z][A-Za-z0-9$_-]*$/.test(f.attrPath))
          throw new ScimInvalidFilterError(`'${shown(f.attrPath)}' is not a sub-attribute name`);
        if (f.op !== "pr") {
          const v = f.compValue;
          if (v !== null && typeof v === "object")
            throw new ScimInvalidFilterError("a comparison value must be a literal");
          if (typeof v === "boolean" && f.op !== "eq" && f.op !== "ne")
            throw new ScimInvalidFilterError(`'${f.op}' does not apply to a boolean`);
        }
    }
  };
  check(ast, false);
  return ast;
}

/** True when `resource` (as SCIM shows it) matches. */
export function matchesScimFilter(filter: Filter, resource: unknown): boolean {
  switch (filter.op) {
    case "and":
      return filter.filters.every((f) => matchesScimFilter(f, resource));
    case "or":
      return filter.filters.some((f) => matchesScimFilter(f, resource));
    case "not":
      return !matchesScimFilter(filter.filter, resource);
    case "[]":
      return valuesAt(resource, filter.attrPath).some((v) => matchesScimFilter(filter.valFilter, v));
    case "pr":
      return valuesAt(resource, filter.attrPath).some(present);
    default: {
      const exact = CASE_EXACT.has(segments(filter.attrPath)[0] ?? "");
      const values = valuesAt(resource, filter.attrPath);
      if (filter.op === "ne") return !values.some((v) => compare("eq", v, filter.compValue, exact));
      return values.some((v) => compare(filter.op, v, filter.compValue, exact));
    }
  }
}

/** `attr eq "value"` on one of the attributes a store lookup can answer; else undefined. */
export function simpleEquality(filter: Filter): { attribute: string; value: string } | undefined {
  if (filter.op !== "eq" || typeof filter.compValue !== "string") return undefined;
  const path = segments(filter.attrPath);
  if (path.length !== 1) return undefined;
  const attribute = path[0] as string;
  return ["id", "externalid", "username", "displayname"].includes(attribute)
    ? { attribute, value: filter.compValue }
    : undefined;
}

const SCHEMA_PREFIXES = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA, HOSTPASS_USER_SCHEMA].map(
  (s) => `${s.toLowerCase()}:`,
);

/** Lower-cased path segments, a core schema's URN prefix removed (extension URNs stay one segment). */
function segments(attrPath: string): string[] {
  let path = attrPath.toLowerCase();
  for (const prefix of SCHEMA_PREFIXES.slice(0, 2))
    if (path.startsWith(prefix)) path = path.slice(prefix.length);
  for (const prefix of SCHEMA_PREFIXES.slice(2))
    if (path.startsWith(prefix)) return [prefix.slice(0, -1), ...path.slice(prefix.length).split(".")];
  return path.split(".");
}

function checkPath(attrPath: string, type: ResourceType): void {
  const [first] = segments(attrPath);
  const extension =
    type === "User" &&
    (first === ENTERPRISE_USER_SCHEMA.toLowerCase() || first === HOSTPASS_USER_SCHEMA.toLowerCase());
  if (first === undefined || !(FILTERABLE[type].has(first) || extension))
    throw new ScimInvalidFilterError(`hostpass cannot filter ${type}s on '${shown(attrPath)}'`);
}

function valuesAt(resource: unknown, attrPath: string): unknown[] {
  let current: unknown[] = [resource];
  for (const name of segments(attrPath)) {
    const next: unknown[] = [];
    for (const item of current) {
      for (const v of Array.isArray(item) ? item : [item]) {
        if (v === null || typeof v !== "object" || Array.isArray(v)) continue;
        const key = Object.keys(v).find((k) => k.toLowerCase() === name);
        if (key !== undefined) next.push((v as Record<string, unknown>)[key]);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

function compare(
  op: string,
  actual: unknown,
  expected: boolean | null | number | string,
  exact: boolean,
): boolean {
  if (expected === null) return op === "eq" ? actual === null || actual === undefined : false;
  if (typeof expected === "boolean" || typeof actual === "boolean") return op === "eq" && actual === expected;
  if (typeof expected === "number" && typeof actual === "number") return ordered(op, actual, expected);
  if (typeof actual !== "string" || typeof expected !== "string") return false;
  const a = exact ? actual : actual.toLowerCase();
  const e = exact ? expected : expected.toLowerCase();
  if (op === "co") return a.includes(e);
  if (op === "sw") return a.startsWith(e);
  if (op === "ew") return a.endsWith(e);
  return ordered(op, a, e);
}

/** eq and the orderings, for numbers and (already case-folded) strings alike. */
function ordered<T extends number | string>(op: string, a: T, e: T): boolean {
  switch (op) {
    case "eq":
      return a === e;
    case "gt":
      return a > e;
    case "ge":
      return a >= e;
    case "lt":
      return a < e;
    case "le":
      return a <= e;
    default:
      return false;
  }
}

function shown(text: string): string {
  const clean = text.replace(/[\p{Cc}\p{Cf}]/gu, "?");
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
