/**
 * The one error base of hostpass.
 *
 * Every failure that can reach a user carries a stable `code` (`ERR_*`, documented in
 * docs/errors.md) and a `kind`. Domain code only says what kind of failure it is; the edges
 * translate kinds to HTTP statuses (server/) and exit codes (cli/). `TypeError` stays reserved
 * for programming mistakes, never for bad input.
 */
export type ErrorKind =
  | "invalid" // the input is malformed or breaks a rule
  | "unauthenticated" // no usable credential
  | "forbidden" // authenticated, but not allowed
  | "not_found"
  | "conflict" // the state does not allow it (already exists, in use)
  | "limited" // rate or size limit reached
  | "unavailable" // a dependency is down; trying again may work
  | "internal";

export type ErrorCode = `ERR_${string}`;

export abstract class HostpassError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The shape every edge shows: `{ code, message }`. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isHostpassError(value: unknown): value is HostpassError {
  return value instanceof HostpassError;
}
