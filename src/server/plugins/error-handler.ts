import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { InvalidScopeError } from "../../rbac/index.ts";
import { InvalidResourceIdError, parseResourceId } from "../../resources/index.ts";
import { type ErrorKind, isHostpassError } from "../../shared/errors.ts";
import { publicMessageOf } from "../../shared/public-failure.ts";
import { validationMessage } from "./validation-message.ts";

/** The one translation from an error's kind to an HTTP status (domain code never picks statuses). */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = Object.freeze({
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  limited: 429,
  unavailable: 503,
  internal: 500,
});

/** Fastify's own errors that reach clients, under our stable codes. */
const FASTIFY_CODES: ReadonlyMap<string, { status: number; code: string; message: string }> = new Map([
  [
    "FST_ERR_CTP_BODY_TOO_LARGE",
    { status: 413, code: "ERR_BODY_TOO_LARGE", message: "the request body is too large" },
  ],
  [
    "FST_ERR_CTP_INVALID_MEDIA_TYPE",
    {
      status: 415,
      code: "ERR_UNSUPPORTED_MEDIA_TYPE",
      message: "send JSON (Content-Type: application/json)",
    },
  ],
  [
    "FST_ERR_CTP_INVALID_CONTENT_LENGTH",
    {
      status: 400,
      code: "ERR_INVALID_CONTENT_LENGTH",
      message: "the Content-Length does not match the body",
    },
  ],
  [
    "FST_ERR_CTP_EMPTY_JSON_BODY",
    { status: 400, code: "ERR_INVALID_JSON", message: "the request body is empty" },
  ],
  [
    "FST_ERR_CTP_INVALID_JSON_BODY",
    { status: 400, code: "ERR_INVALID_JSON", message: "the request body is not valid JSON" },
  ],
  ["FST_ERR_BAD_URL", { status: 400, code: "ERR_BAD_URL", message: "the URL is malformed" }],
  [
    "FST_ERR_MAX_PARAM_LENGTH",
    { status: 414, code: "ERR_URL_TOO_LONG", message: "a name or id in the URL is far too long" },
  ],
]);

export interface ErrorBody {
  /** Errors may add machine-readable fields through `toJSON` (e.g. a claims challenge's `requirements`). */
  error: { code: string; message: string; [detail: string]: unknown };
}

/**
 * Every failure leaves the server as `{ "error": { "code", "message" } }`. 5xx messages are
 * replaced by a fixed text (the real error is logged with the request id), so internals never leak.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(error);
    if (status === 503) {
      // The store unreachable or full (issue 11 items 11-12): worth a retry, not a stack trace per request.
      request.log.warn({ code: body.error.code, err: error }, "request failed: service unavailable");
      reply.header("retry-after", "1");
    } else if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.info({ code: body.error.code }, "request refused");
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const scopeError = unknownScope(request.url);
    if (scopeError !== undefined) {
      const { status, body } = toErrorResponse(scopeError);
      return reply.status(status).send(body);
    }
    return reply
      .status(404)
      .send(errorBody("ERR_NOT_FOUND", `no route for ${request.method} ${pathOf(request.url)}`));
  });
}

export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isHostpassError(error)) {
    const status = STATUS_BY_KIND[error.kind];
    // Fixed texts for 503s (the error's own message may carry internal detail): shared/public-failure.ts.
    if (error.kind === "unavailable") return { status, body: errorBody(error.code, publicMessageOf(error)) };
    if (status >= 500) return { status, body: errorBody(error.code, "internal error") };
    return { status, body: { error: { ...error.toJSON(), code: error.code, message: error.message } } };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const { message, ...where } = validationMessage(
      fastifyError.validationContext ?? "request",
      fastifyError.validation,
    );
    return { status: 400, body: { error: { code: "ERR_VALIDATION", message, ...where } } };
  }
  const known = fastifyError.code ? FASTIFY_CODES.get(fastifyError.code) : undefined;
  if (known) return { status: known.status, body: errorBody(known.code, known.message) };
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { status, body: errorBody("ERR_BAD_REQUEST", "the request was refused") };
  }
  return { status: 500, body: errorBody("ERR_INTERNAL", "internal error") };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

const SCOPE_WORDS =
  'a scope is "/" or the id of a management group, subscription, resource group, VM or scale set';

/**
 * A role assignment or definition call (`<scope>/providers/Authorization/...`) that matched no
 * route names a scope that is not one: say that (and why) instead of "no route".
 */
function unknownScope(url: string): Error | undefined {
  const path = url.split("?", 1)[0] ?? "";
  const at = path.search(/\/providers\/Authorization\//i);
  if (at <= 0) return undefined;
  const raw = path.slice(0, at);
  let scope: string;
  try {
    scope = decodeURIComponent(raw);
  } catch {
    scope = raw;
  }
  const shown = JSON.stringify(scope.length > 200 ? `${scope.slice(0, 200)}…` : scope);
  try {
    const id = parseResourceId(scope);
    if (id.id !== scope) return new InvalidScopeError(`${shown} is not a valid scope: write it as ${id.id}`);
    return new InvalidScopeError(`${shown} is not a valid scope: ${SCOPE_WORDS}`);
  } catch (error) {
    if (!(error instanceof InvalidResourceIdError)) throw error;
    return new InvalidResourceIdError(`${shown} is not a valid scope: ${error.message}; ${SCOPE_WORDS}`);
  }
}

/** The path without the query string, cut short: it is echoed back and must not carry a big payload. */
function pathOf(url: string): string {
  const path = url.split("?", 1)[0] ?? "";
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
