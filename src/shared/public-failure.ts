/**
 * What a record may say about a failure (issue 11 item 3). The sign-in log, the activity log and
 * the refusals an administrator reads carry a stable code and a short public reason, never
 * internal text: a store's, a library's or the operating system's message can name tables, paths,
 * addresses or secrets, and an auditor needs the code, not a stack.
 *
 * - a hostpass error of a kind the caller may see (invalid, unauthenticated, forbidden, not_found,
 *   conflict, limited): its code and its own user-facing message (already what the API answers);
 * - a hostpass error of kind `internal` or `unavailable`, and anything else: its code (or
 *   `ERR_INTERNAL`) and a fixed text per kind (per code for the store's). The real error goes to
 *   the server log only. The API's error answers (`server/plugins/error-handler.ts`) use the same
 *   texts.
 */
import { type ErrorKind, isHostpassError } from "./errors.ts";

/** A public reason is at most this long (a record, not a document). */
export const PUBLIC_REASON_MAX = 300;

const FIXED: Readonly<Partial<Record<ErrorKind, string>>> = {
  internal: "internal error",
  unavailable: "the service is unavailable; try again later",
};

/** Fixed texts of some `unavailable` codes (the store unreachable or full, issue 11 items 11-12). */
const UNAVAILABLE_BY_CODE: Readonly<Record<string, string>> = Object.freeze({
  ERR_STORE_UNAVAILABLE: "the service cannot reach its database; try again shortly",
  ERR_STORE_FULL: "the service's storage is full; try again once space has been freed",
});

export interface PublicFailure {
  readonly code: string;
  readonly reason: string;
}

/** The stable code of a failure: a hostpass error's own, else `ERR_INTERNAL`. */
export function failureCodeOf(error: unknown): string {
  return isHostpassError(error) ? error.code : "ERR_INTERNAL";
}

/** The short public reason of a failure (see the module comment). */
export function publicMessageOf(error: unknown): string {
  if (!isHostpassError(error)) return "internal error";
  if (error.kind === "unavailable" && Object.hasOwn(UNAVAILABLE_BY_CODE, error.code))
    return UNAVAILABLE_BY_CODE[error.code] as string;
  const fixed = FIXED[error.kind];
  if (fixed !== undefined) return fixed;
  const text = error.message.replace(/\s+/g, " ").trim();
  return text.length > PUBLIC_REASON_MAX ? `${text.slice(0, PUBLIC_REASON_MAX - 1)}…` : text;
}

export function publicFailureOf(error: unknown): PublicFailure {
  return { code: failureCodeOf(error), reason: publicMessageOf(error) };
}

/** One line for a log's `failureReason`: `ERR_CODE: reason`. */
export function failureReasonOf(error: unknown): string {
  const { code, reason } = publicFailureOf(error);
  return `${code}: ${reason}`;
}
