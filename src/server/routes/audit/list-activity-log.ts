import { Type } from "@fastify/type-provider-typebox";
import { AUDIT_RESULTS, queryAuditEvents } from "../../../audit/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, Top } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";

const Query = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" })),
    from: Type.Optional(Type.String({ format: "date-time", description: "inclusive" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "exclusive" })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    correlationId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    result: Type.Optional(Type.Union(AUDIT_RESULTS.map((r) => Type.Literal(r)))),
  },
  { additionalProperties: false },
);

const EventDto = Type.Object(
  {
    seq: Type.Integer(),
    id: Type.String(),
    time: Type.String(),
    actor: Type.String(),
    action: Type.String(),
    target: Type.String(),
    result: Type.String(),
    correlationId: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    hash: Type.String(),
  },
  { additionalProperties: false },
);

/** `hostpass monitor activity-log list`: the tenant's activity log, filtered, newest first. */
export function registerListActivityLog(app: App, deps: RouteDeps): void {
  app.get(
    "/providers/Insights/eventtypes/management/values",
    {
      config: { permission: { action: "Insights/eventtypes/values/read", scope: () => "/" } },
      schema: {
        operationId: "ActivityLogs_List",
        tags: ["Audit"],
        summary: "Query the activity log",
        querystring: Query,
        response: { 200: PageOf(EventDto) },
      },
    },
    async (request) => {
      const { top, skipToken, from, to, ...filters } = request.query;
      const filter = {
        tenantId: principalOf(request).tenantId,
        ...filters,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      };
      const page = await queryAuditEvents(deps.auditLog, filter, pageRequest({ top, skipToken }));
      return pageResponse(request, page, (e) => ({
        ...e,
        time: e.time.toISOString(),
        details: { ...e.details },
      }));
    },
  );
}
