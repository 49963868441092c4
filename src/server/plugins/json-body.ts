import type { FastifyInstance } from "fastify";
import { findDuplicateJsonKey } from "../../shared/strict-json.ts";
import {
  DuplicateJsonKeyError,
  ForbiddenJsonKeyError,
  InvalidJsonError,
  JsonTooDeepError,
} from "../errors.ts";

/** Deeper than any hostpass request needs (the deepest, a role definition, is 3). */
export const MAX_JSON_DEPTH = 16;

/** Keys that could reach an object's prototype if some code ever merged a body into an object. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Replaces every body parser with one strict JSON parser: other media types get 415, and a JSON
 * body that nests too deep, carries a prototype key or names a member twice in one object is
 * refused before any schema or handler sees it.
 * Fastify's own parser folds the prototype refusal into a generic "invalid JSON"; ours says which.
 */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseStrictJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

export function parseStrictJson(text: string): unknown {
  // Clients often send Content-Type on every request; an empty body is "no body", and a route
  // that needs one says so through its schema (ERR_VALIDATION).
  if (text.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidJsonError("the request body is not valid JSON");
  }
  checkShape(value);
  const duplicate = findDuplicateJsonKey(text);
  if (duplicate !== undefined) {
    throw new DuplicateJsonKeyError(`the request body names "${printable(duplicate)}" twice in one object`);
  }
  return value;
}

/** A name as it may be shown in a message: short, without control characters. */
function printable(name: string): string {
  const shown = name.replace(/[\p{Cc}\p{Cf}]/gu, "?");
  return shown.length > 64 ? `${shown.slice(0, 64)}…` : shown;
}

/** Iterative walk: a recursive one could be made to overflow the stack by the input it checks. */
function checkShape(root: unknown): void {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new JsonTooDeepError(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new ForbiddenJsonKeyError(`the key "${key}" is not allowed in a request body`);
      }
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
}
