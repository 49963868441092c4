/**
 * What differs between the two databases, written down as data so that repositories and
 * migrations never branch on the dialect's name.
 *
 * The schema is deliberately portable: text ids, `bigint` epoch milliseconds, JSON kept as text
 * (we hash canonical JSON anyway), no auto-increment (the audit chain numbers its own rows). What
 * remains is how each engine reports booleans and constraint violations.
 */
export interface DialectProfile {
  readonly name: "sqlite" | "postgres";
  /** SQLite has no boolean type: `boolean` columns come back as 0/1. */
  readonly booleansAreIntegers: boolean;
  /** Error codes meaning "unique constraint violated" (pg SQLSTATE or SQLite extended errcode). */
  readonly uniqueViolation: readonly (string | number)[];
  /** Error codes meaning "foreign key constraint violated". */
  readonly foreignKeyViolation: readonly (string | number)[];
  /** Error codes meaning "try the transaction again" (serialisation failure, deadlock, busy). */
  readonly retryable: readonly (string | number)[];
}

export const SQLITE_PROFILE: DialectProfile = Object.freeze({
  name: "sqlite",
  booleansAreIntegers: true,
  // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
  uniqueViolation: Object.freeze([2067, 1555]),
  // SQLITE_CONSTRAINT_FOREIGNKEY
  foreignKeyViolation: Object.freeze([787]),
  // SQLITE_BUSY, SQLITE_LOCKED
  retryable: Object.freeze([5, 6]),
});

export const POSTGRES_PROFILE: DialectProfile = Object.freeze({
  name: "postgres",
  booleansAreIntegers: false,
  uniqueViolation: Object.freeze(["23505"]),
  foreignKeyViolation: Object.freeze(["23503"]),
  retryable: Object.freeze(["40001", "40P01"]),
});

export type DbFailure = "unique" | "foreign_key" | "retryable" | "other";

/** Classifies a driver error by the codes in the profile (pg: `code`; node:sqlite: `errcode`). */
export function classifyDbError(profile: DialectProfile, error: unknown): DbFailure {
  if (typeof error !== "object" || error === null) return "other";
  const e = error as { code?: unknown; errcode?: unknown };
  const code = profile.name === "sqlite" ? e.errcode : e.code;
  if (typeof code !== "string" && typeof code !== "number") return "other";
  if (profile.uniqueViolation.includes(code)) return "unique";
  if (profile.foreignKeyViolation.includes(code)) return "foreign_key";
  if (profile.retryable.includes(code)) return "retryable";
  return "other";
}

/** Reads a boolean column the way this dialect returns it. */
export function readBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}
