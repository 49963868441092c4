import { HostpassError } from "../shared/errors.ts";
import type { Requirement } from "./types.ts";

/** Base of every failure the conditional access module reports. */
export abstract class PolicyError extends HostpassError {}

/**
 * A policy or named location document that breaks a rule. `path` points at the offending field
 * (`conditions.locations.include[2]`) so that the portal and the CLI can show where.
 */
export class InvalidPolicyError extends PolicyError {
  static readonly code = "ERR_POLICY_INVALID";
  readonly code = InvalidPolicyError.code;
  readonly kind = "invalid";
  readonly path: string;
  constructor(path: string, message: string) {
    super(path === "" ? message : `${path}: ${message}`);
    this.path = path;
  }
}

/** The sign-in context cannot be evaluated (an address that is not an IP, a bad time). */
export class InvalidSignInContextError extends PolicyError {
  static readonly code = "ERR_SIGN_IN_CONTEXT_INVALID";
  readonly code = InvalidSignInContextError.code;
  readonly kind = "invalid";
}

/**
 * The session lacks what an enforced policy needs; `requirements` is the machine-readable list the
 * client acts on (re-prompt for MFA, use a compliant device, sign in again), nothing more.
 * `maxAge` is the OIDC `max_age` (seconds) to send when `reauthenticate` is asked for.
 */
export class InteractionRequiredError extends PolicyError {
  static readonly code = "ERR_INTERACTION_REQUIRED";
  readonly code = InteractionRequiredError.code;
  readonly kind = "unauthenticated";
  readonly requirements: readonly Requirement[];
  readonly maxAge: number | undefined;
  constructor(requirements: readonly Requirement[], maxAge?: number) {
    super(`Conditional access requires: ${requirements.join(", ")}`);
    this.requirements = Object.freeze([...requirements]);
    this.maxAge = maxAge;
  }

  override toJSON(): {
    code: "ERR_INTERACTION_REQUIRED";
    message: string;
    requirements: Requirement[];
    maxAge?: number;
  } {
    return {
      code: this.code,
      message: this.message,
      requirements: [...this.requirements],
      ...(this.maxAge === undefined ? {} : { maxAge: this.maxAge }),
    };
  }
}

/** A policy blocks this sign-in. The message is fixed: it names no policy, location or rule. */
export class AccessBlockedError extends PolicyError {
  static readonly code = "ERR_ACCESS_BLOCKED";
  readonly code = AccessBlockedError.code;
  readonly kind = "forbidden";
  constructor() {
    super("Access has been blocked by conditional access policies.");
  }
}
