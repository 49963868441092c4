import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the host agent reports. */
export abstract class AgentError extends HostpassError {}

/**
 * A file the agent manages, or one of its parent directories, is a symlink, not a regular file or
 * directory, not owned by root, or writable by group or others. The agent refuses to write
 * through it (a local user could otherwise redirect a root write).
 */
export class UnsafePathError extends AgentError {
  static readonly code = "ERR_AGENT_UNSAFE_PATH";
  readonly code = UnsafePathError.code;
  readonly kind = "conflict";
}

/** What the service sent (a state, a patch, a name, a uid, a key) breaks a rule; nothing was written. */
export class HostStateInvalidError extends AgentError {
  static readonly code = "ERR_AGENT_STATE_INVALID";
  readonly code = HostStateInvalidError.code;
  readonly kind = "invalid";
}

/** `sshd -t` or `visudo -c` refused a candidate file; the previous file stays in place. */
export class ConfigCheckFailedError extends AgentError {
  static readonly code = "ERR_AGENT_CONFIG_CHECK";
  readonly code = ConfigCheckFailedError.code;
  readonly kind = "conflict";
}

/** The agent's own files (key, configuration, state) are missing, unreadable or readable by others. */
export class AgentStateError extends AgentError {
  static readonly code = "ERR_AGENT_LOCAL_STATE";
  readonly code = AgentStateError.code;
  readonly kind = "invalid";
}

/** The host cannot take the login extension as it is (a legacy directory-login package, a conflicting sshd setting). */
export class HostNotSupportedError extends AgentError {
  static readonly code = "ERR_AGENT_HOST_CONFLICT";
  readonly code = HostNotSupportedError.code;
  readonly kind = "conflict";
}

/** The agent is not joined (no credential of the machine's managed identity): the seed's exit 22. */
export class AgentNotJoinedError extends AgentError {
  static readonly code = "ERR_EXTENSION_NO_MANAGED_IDENTITY";
  readonly code = AgentNotJoinedError.code;
  readonly kind = "conflict";
  constructor(
    message = "Managed System Identity is required for directory-based SSH login to work. Join this host (hostpass-agent join) and try again.",
  ) {
    super(message);
  }
}

/** A legacy directory-login package is installed on this host: the seed's exit 23. */
export class LegacyLoginInstalledError extends AgentError {
  static readonly code = "ERR_EXTENSION_LEGACY_INSTALLED";
  readonly code = LegacyLoginInstalledError.code;
  readonly kind = "conflict";
  constructor(found: string) {
    super(`Detected obsolete packages (${found}). Please uninstall AADLoginForLinux first.`);
  }
}

/**
 * The join code was refused, or the service's answer cannot be used. (The service unreachable, or
 * unable to take the join just then, is `ERR_SERVICE_UNREACHABLE` or the service's own 5xx code:
 * kind `unavailable`, exit 8, worth another try.)
 */
export class JoinFailedError extends AgentError {
  static readonly code = "ERR_AGENT_JOIN";
  readonly code = JoinFailedError.code;
  readonly kind = "forbidden";
}
