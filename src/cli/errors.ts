import { HostpassError } from "../shared/errors.ts";

/** The command line itself is wrong: unknown option, missing argument, bad value. */
export class CliUsageError extends HostpassError {
  static readonly code = "ERR_CLI_USAGE";
  readonly code = CliUsageError.code;
  readonly kind = "invalid";
}

/** `--query` is not a valid JMESPath expression. */
export class InvalidQueryError extends HostpassError {
  static readonly code = "ERR_CLI_INVALID_QUERY";
  readonly code = InvalidQueryError.code;
  readonly kind = "invalid";
}
