/**
 * Readers for untrusted policy documents. Each takes the value and its path, returns a clean copy
 * or throws `InvalidPolicyError` naming the path. Unknown keys are refused so that a typo such as
 * `exlude` fails loudly instead of silently widening a policy.
 */
import { InvalidPolicyError } from "../errors.ts";
import type { IncludeExclude } from "../types.ts";

export const MAX_LIST = 1000;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RESERVED = new Set(["all", "alltrusted", "none"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Object ids are compared exactly, except UUIDs, which are compared in lowercase. */
export function normId(id: string): string {
  return UUID.test(id) ? id.toLowerCase() : id;
}

export function readObject(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidPolicyError(path, "must be an object");
  }
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw new InvalidPolicyError(path, `unknown field '${key.slice(0, 64)}'`);
    out[key] = (value as Record<string, unknown>)[key];
  }
  return out;
}

export function readText(value: unknown, path: string, max: number): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new InvalidPolicyError(path, "must be a non-empty string");
  if (value.length > max) throw new InvalidPolicyError(path, `must be at most ${max} characters`);
  if (CONTROL.test(value)) throw new InvalidPolicyError(path, "must not contain control characters");
  if (value !== value.trim()) throw new InvalidPolicyError(path, "must not start or end with whitespace");
  return value;
}

export function readId(value: unknown, path: string): string {
  if (typeof value !== "string" || !ID.test(value)) {
    throw new InvalidPolicyError(
      path,
      "must be an id (letters, digits, '.', '_', ':', '@', '-'; at most 128)",
    );
  }
  if (RESERVED.has(value.toLowerCase())) throw new InvalidPolicyError(path, `'${value}' is reserved`);
  return normId(value);
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") throw new InvalidPolicyError(path, "must be true or false");
  return value;
}

export function readOneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidPolicyError(path, `must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function readList<T>(
  value: unknown,
  path: string,
  item: (v: unknown, p: string) => T,
  options: { nonEmpty?: boolean; max?: number } = {},
): readonly T[] {
  if (!Array.isArray(value)) throw new InvalidPolicyError(path, "must be a list");
  const max = options.max ?? MAX_LIST;
  if (value.length > max) throw new InvalidPolicyError(path, `must have at most ${max} entries`);
  if (options.nonEmpty && value.length === 0) throw new InvalidPolicyError(path, "must not be empty");
  const out = value.map((v, i) => item(v, `${path}[${i}]`));
  return Object.freeze([...new Set(out)]);
}

/**
 * `{ include: "All" | [...], exclude?: [...] }`. An empty include list is allowed where "nobody of
 * this kind" makes sense (assignments) and refused for conditions, where it would match nothing.
 */
export function readIncludeExclude<T extends string>(
  value: unknown,
  path: string,
  item: (v: unknown, p: string) => T,
  options: { emptyInclude: boolean },
): IncludeExclude<T> {
  const o = readObject(value, path, ["include", "exclude"]);
  const include =
    o.include === "All"
      ? ("All" as const)
      : readList(o.include ?? [], `${path}.include`, item, { nonEmpty: !options.emptyInclude });
  const exclude = o.exclude === undefined ? [] : readList(o.exclude, `${path}.exclude`, item);
  return Object.freeze({ include, exclude: Object.freeze(exclude) });
}

export const NOBODY: IncludeExclude<string> = Object.freeze({
  include: Object.freeze([]),
  exclude: Object.freeze([]),
});
