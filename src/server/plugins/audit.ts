import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AuditSink } from "../deps.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A POST that changes nothing (an access check): not written to the activity log. */
    readOnly?: boolean;
  }
  interface FastifyRequest {
    /** The id of what the call changed, when the handler knows it better than the URL does. */
    auditTarget: string | undefined;
  }
}

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Every change an authenticated caller attempts is written to the activity log, refused ones
 * included (a denied role assignment is exactly what an auditor looks for). Written before the
 * response leaves, so a client that saw success can find the record. Reads are not logged here.
 */
export function registerAudit(app: FastifyInstance, audit: AuditSink): void {
  app.decorateRequest("auditTarget", undefined);
  app.addHook("onSend", async (request, reply, payload) => {
    if (!CHANGES.has(request.method) || request.principal === null) return payload;
    if (request.routeOptions.config.readOnly === true) return payload;
    const status = reply.statusCode;
    try {
      await audit.append({
        tenantId: request.principal.tenantId,
        actor: request.principal.objectId,
        action: actionOf(request),
        target: request.auditTarget ?? pathOf(request),
        result: status < 400 ? "success" : status === 401 || status === 403 ? "denied" : "failure",
        correlationId: request.id,
        details: { method: request.method, status },
      });
    } catch (error) {
      // The change is already made; losing its record must be loud, but cannot undo it.
      request.log.error({ err: error }, "audit write failed");
    }
    return payload;
  });
}

function actionOf(request: FastifyRequest): string {
  const permission = request.routeOptions.config.permission;
  if (permission !== undefined && typeof permission !== "string") return permission.action;
  return request.routeOptions.schema?.operationId ?? `${request.method} ${request.routeOptions.url ?? ""}`;
}

function pathOf(request: FastifyRequest): string {
  return decodeURIComponentSafe(request.url.split("?", 1)[0] ?? "");
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
