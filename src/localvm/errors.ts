import { HostpassError } from "../shared/errors.ts";

/** Local machines need Linux namespaces, so root on Linux with `ip`, `unshare` and `nsenter`. */
export class LocalVmUnsupportedError extends HostpassError {
  static readonly code = "ERR_LOCALVM_UNSUPPORTED";
  readonly code = LocalVmUnsupportedError.code;
  readonly kind = "unavailable";
}

/** A machine spec this host cannot honour: bad host name, bind target, service name or address. */
export class LocalVmSpecError extends HostpassError {
  static readonly code = "ERR_LOCALVM_SPEC";
  readonly code = LocalVmSpecError.code;
  readonly kind = "invalid";
}

/** Every private subnet of the local range is taken (by other machines' networks or by the host). */
export class LocalVmNoSubnetError extends HostpassError {
  static readonly code = "ERR_LOCALVM_NO_SUBNET";
  readonly code = LocalVmNoSubnetError.code;
  readonly kind = "unavailable";
}

/** A local network has no free address left for another machine. */
export class LocalVmNoAddressError extends HostpassError {
  static readonly code = "ERR_LOCALVM_NO_ADDRESS";
  readonly code = LocalVmNoAddressError.code;
  readonly kind = "unavailable";
}

/** A machine did not come up (namespaces, mounts, network or sshd); the message carries its console log. */
export class LocalVmStartError extends HostpassError {
  static readonly code = "ERR_LOCALVM_START";
  readonly code = LocalVmStartError.code;
  readonly kind = "internal";
}

/** A machine directory with no running machine behind it (stopped, or never started). */
export class LocalVmNotRunningError extends HostpassError {
  static readonly code = "ERR_LOCALVM_NOT_RUNNING";
  readonly code = LocalVmNotRunningError.code;
  readonly kind = "conflict";
}

/**
 * A machine's host agent could not join the service (for another reason than a missing managed
 * identity). Kind `conflict`, so that the caller (the operator of the local machine) reads why
 * (machine-agent.ts words it: the agent's own error line, or where to look when it failed internally).
 */
export class LocalVmAgentError extends HostpassError {
  static readonly code = "ERR_LOCALVM_AGENT";
  readonly code = LocalVmAgentError.code;
  readonly kind = "conflict";
  /** `hostpass-agent join`'s exit code. */
  readonly exitCode: number;
  /** The service was unreachable or could not take the join just then: a new code may succeed. */
  readonly transient: boolean;
  /** The end of the agent's stderr, for the server log (not for the caller). */
  readonly output: string;
  constructor(
    message: string,
    details: { readonly exitCode: number; readonly transient: boolean; readonly output: string },
  ) {
    super(message);
    this.exitCode = details.exitCode;
    this.transient = details.transient;
    this.output = details.output;
  }
}
