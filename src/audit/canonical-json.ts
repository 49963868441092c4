/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units (as RFC 8785 does), no
 * whitespace, strings and numbers as JSON.stringify writes them. Only JSON values are accepted:
 * `undefined`, functions, symbols, bigints, non-finite numbers and cycles are refused rather than
 * silently dropped, so what is hashed is exactly what is stored.
 */
import { InvalidAuditInputError } from "./errors.ts";

const MAX_DEPTH = 32;

function write(value: unknown, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new InvalidAuditInputError("details are nested too deeply");
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    out.push(JSON.stringify(value));
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvalidAuditInputError("details may not contain NaN or Infinity");
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      write(item, depth + 1, out);
    });
    out.push("]");
  } else if (
    typeof value === "object" &&
    (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
  ) {
    const keys = Object.keys(value).sort();
    out.push("{");
    keys.forEach((key, i) => {
      if (i > 0) out.push(",");
      out.push(JSON.stringify(key), ":");
      write((value as Record<string, unknown>)[key], depth + 1, out);
    });
    out.push("}");
  } else {
    throw new InvalidAuditInputError(`details may only hold JSON values, not ${typeof value}`);
  }
}

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, 0, out);
  return out.join("");
}
