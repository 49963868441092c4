import { StoreError } from "./errors.ts";

/** A passkey credential id that is already registered (to this account or another). */
export class PasskeyInUseError extends StoreError {
  static readonly code = "ERR_PASSKEY_IN_USE";
  readonly code = PasskeyInUseError.code;
  readonly kind = "conflict";
}

/** A certificate serial that is already in the ledger (a collision, or a record written twice). */
export class CertificateSerialInUseError extends StoreError {
  static readonly code = "ERR_CERTIFICATE_SERIAL_IN_USE";
  readonly code = CertificateSerialInUseError.code;
  readonly kind = "conflict";
}

/** A key or state change that another writer (replica) made impossible, e.g. a second active key. */
export class KeyStateConflictError extends StoreError {
  static readonly code = "ERR_KEY_STATE_CONFLICT";
  readonly code = KeyStateConflictError.code;
  readonly kind = "conflict";
}

/** A second factor written for an account (principal) that does not exist. */
export class AccountNotFoundError extends StoreError {
  static readonly code = "ERR_ACCOUNT_NOT_FOUND";
  readonly code = AccountNotFoundError.code;
  readonly kind = "not_found";
}

/**
 * Too many sign-ins in progress (portal flows, challenges, pending requests): new ones are refused
 * until some finish or expire, so a flood never pushes out sessions or live sign-ins.
 */
export class SignInBusyError extends StoreError {
  static readonly code = "ERR_SIGN_IN_BUSY";
  readonly code = SignInBusyError.code;
  readonly kind = "limited";
}
