import { HostpassError } from "../shared/errors.ts";

/** The command line itself is wrong: unknown option, missing argument, bad value. */
export class CliUsageError extends HostpassError {
  static readonly code = "ERR_CLI_USAGE";
  readonly code = CliUsageError.code;
  readonly kind = "invalid";
}

/** A destructive command without `--yes` where no terminal can answer its "Are you sure" prompt. */
export class ConfirmationRequiredError extends HostpassError {
  static readonly code = "ERR_CLI_CONFIRMATION_REQUIRED";
  readonly code = ConfirmationRequiredError.code;
  readonly kind = "invalid";
}

/** `--query` is not a valid JMESPath expression. */
export class InvalidQueryError extends HostpassError {
  static readonly code = "ERR_CLI_INVALID_QUERY";
  readonly code = InvalidQueryError.code;
  readonly kind = "invalid";
}

/** The user interrupted the command (Ctrl-C); the exit status is 130 (143 for SIGTERM). */
export class CancelledError extends HostpassError {
  static readonly code = "ERR_CANCELLED";
  readonly code = CancelledError.code;
  readonly kind = "invalid";
}

/** No subscription is visible to the signed-in account. */
export class NoSubscriptionError extends HostpassError {
  static readonly code = "ERR_NO_SUBSCRIPTION";
  readonly code = NoSubscriptionError.code;
  readonly kind = "not_found";
}

/** The machine's agent reported that an extension failed to provision. */
export class ExtensionFailedError extends HostpassError {
  static readonly code = "ERR_EXTENSION_FAILED";
  readonly code = ExtensionFailedError.code;
  readonly kind = "conflict";
}

/** An extension is still provisioning when the CLI stops waiting (it goes on on the machine). */
export class ExtensionTimeoutError extends HostpassError {
  static readonly code = "ERR_EXTENSION_TIMEOUT";
  readonly code = ExtensionTimeoutError.code;
  readonly kind = "unavailable";
}

/** `extension show` names an extension the machine does not have. */
export class ExtensionNotFoundError extends HostpassError {
  static readonly code = "ERR_EXTENSION_NOT_FOUND";
  readonly code = ExtensionNotFoundError.code;
  readonly kind = "not_found";
}

/** A command that selects objects by filters (e.g. `role assignment delete --assignee`) matched none. */
export class NoMatchError extends HostpassError {
  static readonly code = "ERR_CLI_NO_MATCH";
  readonly code = NoMatchError.code;
  readonly kind = "not_found";
}

/**
 * A command that must never prompt (a renewal run by `ssh config`'s `Match exec`) met a
 * conditional access challenge that only an interactive sign-in can meet.
 */
export class SignInRequiredError extends HostpassError {
  static readonly code = "ERR_SIGN_IN_REQUIRED";
  readonly code = SignInRequiredError.code;
  readonly kind = "unauthenticated";
}

/** `ssh vm`/`ssh config` for a machine that has no address (yet): give `--ip`. */
export class NoAddressError extends HostpassError {
  static readonly code = "ERR_NO_ADDRESS";
  readonly code = NoAddressError.code;
  readonly kind = "not_found";
}

/** `ssh vm` could not get in and the service says the caller holds no login role on the machine. */
export class LoginRoleMissingError extends HostpassError {
  static readonly code = "ERR_LOGIN_ROLE_MISSING";
  readonly code = LoginRoleMissingError.code;
  readonly kind = "forbidden";
}

/** `ssh vm` could not get in and the machine's managed identity or its login extension is off. */
export class LoginNotEnabledError extends HostpassError {
  static readonly code = "ERR_LOGIN_NOT_ENABLED";
  readonly code = LoginNotEnabledError.code;
  readonly kind = "conflict";
}

/** `--ip` (or an address given to `--jump`) is not an IPv4 or IPv6 address nor a host name. */
export class InvalidHostError extends HostpassError {
  static readonly code = "ERR_CLI_INVALID_HOST";
  readonly code = InvalidHostError.code;
  readonly kind = "invalid";
}

/** `ssh vm --ip` names a host the system's resolver (/etc/hosts, DNS) says does not exist. */
export class UnknownHostError extends HostpassError {
  static readonly code = "ERR_CLI_UNKNOWN_HOST";
  readonly code = UnknownHostError.code;
  readonly kind = "invalid";
}

/** A file the command reads or writes cannot be used (missing, no permission, not a directory). */
export class FileAccessError extends HostpassError {
  static readonly code = "ERR_CLI_FILE";
  readonly code = FileAccessError.code;
  readonly kind = "invalid";
}

/** Anything else that went wrong: a bug. `--debug` shows the stack. */
export class CliInternalError extends HostpassError {
  static readonly code = "ERR_INTERNAL";
  readonly code = CliInternalError.code;
  readonly kind = "internal";
}
