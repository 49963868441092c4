/**
 * The SCIM 2.0 service provider at `/scim/v2` (RFC 7644), outside the management API's scope: a
 * SCIM client authenticates with its tenant's SCIM bearer token (`hostpass scim token create`),
 * not with an OAuth token, and gets SCIM's own media type and error bodies. Every change runs
 * through `inChange` like an API change (one transaction with its activity-log event; the actor
 * is `scim:<token id>`); refused ones are recorded after the response.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import {
  ERROR_SCHEMA,
  type FederationError,
  type FederationRepository,
  type ScimType,
  verifyScimToken,
} from "../../../federation/index.ts";
import { isHostpassError } from "../../../shared/errors.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { registerAudit } from "../../plugins/audit.ts";
import { toErrorResponse } from "../../plugins/error-handler.ts";
import { parseStrictJson } from "../../plugins/json-body.ts";
import { registerScimDiscovery } from "./discovery.ts";
import { registerScimResources } from "./resources.ts";

export const SCIM_PREFIX = "/scim/v2";
export const SCIM_MEDIA_TYPE = "application/scim+json";
/** A group replaced with thousands of members is larger than any API body. */
export const SCIM_BODY_LIMIT = 1024 * 1024;

export interface ScimDeps extends Pick<RouteDeps, "transaction" | "rbac" | "directory" | "audit"> {
  readonly federation: FederationRepository;
  /** `<public URL>/scim/v2`, known once the server listens. */
  readonly baseUrl: () => string;
}

const BEARER = /^Bearer ([A-Za-z0-9_.~+/=-]{1,512})$/i;

/** Errors of other modules that SCIM names (RFC 7644 §3.12). */
const SCIM_TYPE_BY_CODE: Readonly<Record<string, ScimType>> = {
  ERR_DIRECTORY_UPN_TAKEN: "uniqueness",
  ERR_DIRECTORY_LINUX_NAME_TAKEN: "uniqueness",
  ERR_DIRECTORY_CONFLICT: "uniqueness",
  ERR_DIRECTORY_INVALID_UPN: "invalidValue",
  ERR_DIRECTORY_INVALID_LINUX_NAME: "invalidValue",
  ERR_DIRECTORY_INVALID_INPUT: "invalidValue",
  ERR_DIRECTORY_GROUP_CYCLE: "invalidValue",
  ERR_INVALID_JSON: "invalidSyntax",
  ERR_JSON_DUPLICATE_KEY: "invalidSyntax",
  ERR_JSON_FORBIDDEN_KEY: "invalidSyntax",
  ERR_JSON_TOO_DEEP: "invalidSyntax",
  ERR_BODY_TOO_LARGE: "invalidValue",
  ERR_VALIDATION: "invalidValue",
};

export function registerScim(app: App, deps: ScimDeps): void {
  app.register(
    async (scope) => {
      const scim = scope as unknown as App;
      scim.addContentTypeParser(
        SCIM_MEDIA_TYPE,
        { parseAs: "string", bodyLimit: SCIM_BODY_LIMIT },
        (_r, body, done) => {
          try {
            done(null, parseStrictJson(body as string));
          } catch (error) {
            done(error as Error, undefined);
          }
        },
      );
      scim.setErrorHandler((error: FastifyError, request, reply) => sendScimError(request, reply, error));
      scim.setNotFoundHandler((request, reply) =>
        sendScimError(request, reply, Object.assign(new Error("no such SCIM endpoint"), { statusCode: 404 })),
      );
      if (!scim.hasRequestDecorator("principal")) scim.decorateRequest("principal", null);
      scim.addHook("onRequest", async (request) => {
        if (request.routeOptions.url === undefined || request.routeOptions.config.public === true) return;
        const header = request.headers.authorization;
        const match = typeof header === "string" ? BEARER.exec(header) : null;
        const record = await verifyScimToken(deps.federation, match?.[1] ?? "");
        request.principal = {
          objectId: `scim:${record.id}`,
          tenantId: record.tenantId,
          type: "servicePrincipal",
        };
      });
      registerAudit(scim, deps.audit);
      scim.addHook("onSend", async (_request, reply, payload) => {
        if (String(reply.getHeader("content-type") ?? "").startsWith("application/json"))
          reply.header("content-type", `${SCIM_MEDIA_TYPE}; charset=utf-8`);
        return payload;
      });
      registerScimDiscovery(scim, deps);
      registerScimResources(scim, deps);
    },
    { prefix: SCIM_PREFIX },
  );
}

/** RFC 7644 §3.12: `{ schemas, status (text), scimType?, detail }`; the stable code leads the detail. */
function sendScimError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) request.log.error({ err: error }, "SCIM request failed");
  const code = body.error.code;
  const own = isHostpassError(error) ? (error as FederationError).scimType : undefined;
  const scimType = own ?? (status === 400 || status === 409 ? SCIM_TYPE_BY_CODE[code] : undefined);
  if (status === 401) reply.header("www-authenticate", 'Bearer realm="hostpass SCIM"');
  return reply
    .status(status)
    .type(`${SCIM_MEDIA_TYPE}; charset=utf-8`)
    .send({
      schemas: [ERROR_SCHEMA],
      status: String(status),
      ...(scimType === undefined ? {} : { scimType }),
      detail: `(${code}) ${body.error.message}`,
    });
}
