import { Type } from "@fastify/type-provider-typebox";
import { SIGN_IN_RESULTS, type SignInLogEntry } from "../../../audit/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, Top } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";

const UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const Query = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" })),
    from: Type.Optional(Type.String({ format: "date-time", description: "inclusive" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "exclusive" })),
    userId: Type.Optional(Type.String({ pattern: UUID, description: "object id of the user or app" })),
    appId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    ipAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    result: Type.Optional(Type.Union(SIGN_IN_RESULTS.map((r) => Type.Literal(r)))),
    correlationId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

const SignInDto = Type.Object(
  {
    id: Type.String(),
    createdDateTime: Type.String(),
    userId: Type.Optional(Type.String()),
    userPrincipalName: Type.Optional(Type.String()),
    principalType: Type.Optional(Type.String()),
    appId: Type.Optional(Type.String()),
    resourceId: Type.Optional(Type.String()),
    ipAddress: Type.String(),
    userAgent: Type.String(),
    deviceId: Type.Optional(Type.String()),
    result: Type.String(),
    failureReason: Type.Optional(Type.String()),
    mfaMethod: Type.Optional(Type.String()),
    appliedConditionalAccessPolicies: Type.Array(Type.Unknown()),
    correlationId: Type.String(),
  },
  { additionalProperties: false },
);

/** Drops absent fields: the response schema has optional properties, never nulls. */
function toDto(e: SignInLogEntry) {
  const dto = {
    id: e.id,
    createdDateTime: e.time.toISOString(),
    userId: e.principalId,
    userPrincipalName: e.principalName,
    principalType: e.principalKind,
    appId: e.appId,
    resourceId: e.resource,
    ipAddress: e.ip,
    userAgent: e.userAgent,
    deviceId: e.deviceId,
    result: e.result,
    failureReason: e.failureReason,
    mfaMethod: e.mfaMethod,
    appliedConditionalAccessPolicies: [...e.policies],
    correlationId: e.correlationId,
  };
  return Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)) as typeof dto;
}

/** `hostpass monitor sign-in-log list`: the tenant's sign-in attempts, filtered, newest first. */
export function registerListSignIns(app: App, deps: RouteDeps): void {
  app.get(
    "/auditLogs/signIns",
    {
      config: { permission: { action: "Insights/eventtypes/values/read", scope: () => "/" } },
      schema: {
        operationId: "SignIns_List",
        tags: ["Audit"],
        summary: "Query the sign-in log",
        querystring: Query,
        response: { 200: PageOf(SignInDto) },
      },
    },
    async (request) => {
      const { top, skipToken, from, to, userId, appId, ipAddress, result, correlationId } = request.query;
      const filter = {
        tenantId: principalOf(request).tenantId,
        ...{ principalId: userId?.toLowerCase(), appId, ip: ipAddress, result, correlationId },
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      };
      const log = deps.signInLog;
      const page = log ? await log.query(filter, pageRequest({ top, skipToken })) : { items: [] };
      return pageResponse(request, page, toDto);
    },
  );
}
