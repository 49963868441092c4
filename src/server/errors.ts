import { HostpassError } from "../shared/errors.ts";

/** No credential, or one that does not verify. The message is fixed on purpose: it never says why. */
export class UnauthenticatedError extends HostpassError {
  static readonly code = "ERR_UNAUTHENTICATED";
  readonly code = UnauthenticatedError.code;
  readonly kind = "unauthenticated";
  constructor(options?: { cause?: unknown }) {
    super("authentication required: run `hostpass login` again", options);
  }
}

/** The request does not match the route's schema (unknown property, wrong type, bad pattern). */
export class ValidationError extends HostpassError {
  static readonly code = "ERR_VALIDATION";
  readonly code = ValidationError.code;
  readonly kind = "invalid";
}

/** The body is not JSON, or not the JSON we accept. */
export class InvalidJsonError extends HostpassError {
  static readonly code = "ERR_INVALID_JSON";
  readonly code = InvalidJsonError.code;
  readonly kind = "invalid";
}

/** A JSON body nests deeper than the server accepts. */
export class JsonTooDeepError extends HostpassError {
  static readonly code = "ERR_JSON_TOO_DEEP";
  readonly code = JsonTooDeepError.code;
  readonly kind = "invalid";
}

/** A JSON body carries `__proto__` or `constructor.prototype`: prototype pollution is refused outright. */
export class ForbiddenJsonKeyError extends HostpassError {
  static readonly code = "ERR_JSON_FORBIDDEN_KEY";
  readonly code = ForbiddenJsonKeyError.code;
  readonly kind = "invalid";
}

/** A JSON body names one member twice in an object: parsers disagree on which value counts. */
export class DuplicateJsonKeyError extends HostpassError {
  static readonly code = "ERR_JSON_DUPLICATE_KEY";
  readonly code = DuplicateJsonKeyError.code;
  readonly kind = "invalid";
}

/** No route has this method and path. */
export class RouteNotFoundError extends HostpassError {
  static readonly code = "ERR_NOT_FOUND";
  readonly code = RouteNotFoundError.code;
  readonly kind = "not_found";
}

/** A `skipToken` that this server did not hand out (or that belongs to another list). */
export class InvalidSkipTokenError extends HostpassError {
  static readonly code = "ERR_INVALID_SKIP_TOKEN";
  readonly code = InvalidSkipTokenError.code;
  readonly kind = "invalid";
}

/** The server's own state on disk (keys, certificate) cannot be used. */
export class ServerStateError extends HostpassError {
  static readonly code = "ERR_SERVER_STATE";
  readonly code = ServerStateError.code;
  readonly kind = "internal";
}

/** A server option (listen address, data directory, database URL) is not usable. */
export class ServerConfigError extends HostpassError {
  static readonly code = "ERR_SERVER_CONFIG";
  readonly code = ServerConfigError.code;
  readonly kind = "invalid";
}
