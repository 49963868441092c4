import { HostpassError } from "../../shared/errors.ts";

/** The CLI's own state files cannot be used (permissions, corruption). */
export class CliStateError extends HostpassError {
  static readonly code = "ERR_CLI_STATE";
  readonly code = CliStateError.code;
  readonly kind = "invalid";
}

/** No usable token: the seed's "Couldn't retrieve token from local cache". */
export class NotSignedInError extends HostpassError {
  static readonly code = "ERR_NOT_SIGNED_IN";
  readonly code = NotSignedInError.code;
  readonly kind = "unauthenticated";
  constructor(detail?: string, options?: { cause?: unknown }) {
    super(
      `${detail ? `${detail}. ` : ""}Couldn't retrieve a token from the local cache: run \`hostpass login\` again.`,
      options,
    );
  }
}

/** The service answered with an error or something we cannot use. */
export class ServiceError extends HostpassError {
  static readonly code = "ERR_SERVICE";
  readonly code: `ERR_${string}`;
  readonly kind: HostpassError["kind"];
  readonly status: number;
  /** Machine-readable fields the service sent with the error (e.g. a claims challenge's `requirements`). */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(
    status: number,
    code: string | undefined,
    message: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options);
    this.status = status;
    this.details = options?.details ?? {};
    this.code = code && /^ERR_[A-Z0-9_]+$/.test(code) ? (code as `ERR_${string}`) : ServiceError.code;
    this.kind =
      status === 401
        ? "unauthenticated"
        : status === 403
          ? "forbidden"
          : status === 404
            ? "not_found"
            : status === 409
              ? "conflict"
              : status === 429
                ? "limited"
                : status >= 500
                  ? "unavailable"
                  : "invalid";
  }
}

/** The service cannot be reached (DNS, TCP, TLS). */
export class ServiceUnreachableError extends HostpassError {
  static readonly code = "ERR_SERVICE_UNREACHABLE";
  readonly code = ServiceUnreachableError.code;
  readonly kind = "unavailable";
}
