import { HostpassError } from "../shared/errors.ts";

/** A one-time code or passkey assertion that does not verify. The message is fixed on purpose. */
export class MfaFailedError extends HostpassError {
  static readonly code = "ERR_MFA_FAILED";
  readonly code = MfaFailedError.code;
  readonly kind = "unauthenticated";
  constructor(options?: { cause?: unknown }) {
    super("the second factor could not be verified", options);
  }
}

/** Too many failed attempts for this account or source; try again after `retryAfterSeconds`. */
export class AttemptsLockedError extends HostpassError {
  static readonly code = "ERR_TOO_MANY_ATTEMPTS";
  readonly code = AttemptsLockedError.code;
  readonly kind = "limited";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`too many failed attempts; try again in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
