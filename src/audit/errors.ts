import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the audit log reports. */
export abstract class AuditError extends HostpassError {}

/** An event or query that breaks a rule (missing field, details too large, bad cursor). */
export class InvalidAuditInputError extends AuditError {
  static readonly code = "ERR_AUDIT_INVALID_INPUT";
  readonly code = InvalidAuditInputError.code;
  readonly kind = "invalid";
}

/** The activity log's key (from the key-encryption key) is not available: nothing can be appended or verified. */
export class AuditKeyMissingError extends AuditError {
  static readonly code = "ERR_AUDIT_KEY_MISSING";
  readonly code = AuditKeyMissingError.code;
  readonly kind = "internal";
  constructor() {
    super("the activity log's key is missing: open the store with the key-encryption key");
  }
}
