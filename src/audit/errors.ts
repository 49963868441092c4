import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the audit log reports. */
export abstract class AuditError extends HostpassError {}

/** An event or query that breaks a rule (missing field, details too large, bad cursor). */
export class InvalidAuditInputError extends AuditError {
  static readonly code = "ERR_AUDIT_INVALID_INPUT";
  readonly code = InvalidAuditInputError.code;
  readonly kind = "invalid";
}
