import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the directory reports. */
export abstract class DirectoryError extends HostpassError {}

/** Input that breaks a directory rule (display name, platform, expiry, key). */
export class InvalidDirectoryInputError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_INVALID_INPUT";
  readonly code = InvalidDirectoryInputError.code;
  readonly kind = "invalid";
}

/** A user principal name that is not `local@domain` in the accepted character set. */
export class InvalidUpnError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_INVALID_UPN";
  readonly code = InvalidUpnError.code;
  readonly kind = "invalid";
}

export type LinuxNameProblem =
  | "empty"
  | "too_long"
  | "not_normalized"
  | "charset"
  | "leading_character"
  | "all_digits"
  | "dot_dot"
  | "trailing_character"
  | "at_sign"
  | "reserved";

/** A Linux account name that breaks the rule in linux-name.ts. `problem` says which part. */
export class InvalidLinuxNameError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_INVALID_LINUX_NAME";
  readonly code = InvalidLinuxNameError.code;
  readonly kind = "invalid";
  readonly problem: LinuxNameProblem;
  constructor(problem: LinuxNameProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** Another user of the tenant already has this UPN (compared after NFC and lower-casing). */
export class UpnTakenError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_UPN_TAKEN";
  readonly code = UpnTakenError.code;
  readonly kind = "conflict";
}

/** Another principal of the tenant already has this Linux name. */
export class LinuxNameTakenError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_LINUX_NAME_TAKEN";
  readonly code = LinuxNameTakenError.code;
  readonly kind = "conflict";
}

/** The change would make a group a member of itself, directly or through other groups. */
export class GroupCycleError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_GROUP_CYCLE";
  readonly code = GroupCycleError.code;
  readonly kind = "conflict";
}

/** Something with this identity already exists (tenant name, app id, resource's identity, device key). */
export class DirectoryConflictError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_CONFLICT";
  readonly code = DirectoryConflictError.code;
  readonly kind = "conflict";
}

export class TenantNotFoundError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_TENANT_NOT_FOUND";
  readonly code = TenantNotFoundError.code;
  readonly kind = "not_found";
}

export class PrincipalNotFoundError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_PRINCIPAL_NOT_FOUND";
  readonly code = PrincipalNotFoundError.code;
  readonly kind = "not_found";
}

export class DeviceNotFoundError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_DEVICE_NOT_FOUND";
  readonly code = DeviceNotFoundError.code;
  readonly kind = "not_found";
}

/** Wrong password, unknown or expired secret, disabled principal. The message is fixed on purpose. */
export class InvalidCredentialsError extends DirectoryError {
  static readonly code = "ERR_DIRECTORY_INVALID_CREDENTIALS";
  readonly code = InvalidCredentialsError.code;
  readonly kind = "unauthenticated";
  constructor(options?: { cause?: unknown }) {
    super("invalid credentials", options);
  }
}
