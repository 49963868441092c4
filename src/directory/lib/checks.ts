/** Small input checks shared by the directory's use cases. */
import { InvalidDirectoryInputError } from "../errors.ts";

export const DISPLAY_NAME_MAX_LENGTH = 256;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Display names are free text but never carry control, format (bidi) or line-separator characters.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

/** NFC, trimmed, 1..256 characters, printable. Quotes and SQL metacharacters are fine: stored verbatim. */
export function checkDisplayName(value: unknown, what = "display name"): string {
  if (typeof value !== "string") throw new InvalidDirectoryInputError(`${what} must be a string`);
  const name = value.normalize("NFC").trim();
  if (name.length === 0 || name.length > DISPLAY_NAME_MAX_LENGTH) {
    throw new InvalidDirectoryInputError(`${what} must be 1 to ${DISPLAY_NAME_MAX_LENGTH} characters`);
  }
  if (UNPRINTABLE.test(name)) throw new InvalidDirectoryInputError(`${what} contains control characters`);
  return name;
}

export function checkUuid(value: unknown, what: string): string {
  if (typeof value !== "string" || !UUID.test(value))
    throw new InvalidDirectoryInputError(`${what} must be a UUID`);
  return value.toLowerCase();
}

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** Returns `now` or the current time; use cases take an optional clock for tests. */
export function timeOf(now: (() => Date) | undefined): Date {
  return now ? now() : new Date();
}
