/**
 * The activity log of the management API (issue 11 item 1).
 *
 * A change is recorded **in its own transaction**: a route runs its use case through
 * `inChange(request, deps, work)`, which opens one store transaction, hands `work` the
 * repositories bound to it, and appends the activity-log event (with the details the route notes:
 * role, assignee and scope; the fields changed; ...) before the commit. The change and its record
 * commit together or not at all: a failure to record fails the change.
 *
 * Refused and failed attempts change nothing, so they are recorded after the response (a denied
 * role assignment is exactly what an auditor looks for), with the stable error code and the short
 * public reason the caller was answered (`error-handler.ts`: a 5xx is "internal error"), never
 * internal text (that stays in the server log). A record that cannot be written is logged and
 * counted in `GET /health` (source `auditAfterResponse`).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { appendAuditEvent } from "../../audit/index.ts";
import type { BackgroundErrors } from "../../shared/background-errors.ts";
import { PUBLIC_REASON_MAX } from "../../shared/public-failure.ts";
import type { AuditSink, ChangeRepositories, DomainServices } from "../deps.ts";
import { toErrorResponse } from "./error-handler.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A POST that changes nothing (an access check): not written to the activity log. */
    readOnly?: boolean;
  }
  interface FastifyRequest {
    /** The id of what the call changed, when the handler knows it better than the URL does. */
    auditTarget: string | undefined;
    /** Set once the change's event is committed with it (`inChange`). */
    auditRecorded: boolean;
    /** The stable code of the error the request failed with, for the failure record. */
    auditErrorCode: string | undefined;
    /** The public message the caller got for it (never internal text). */
    auditErrorReason: string | undefined;
  }
}

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What a route says about its change: the target (an id) and the details an auditor needs. */
export type NoteChange = (target: string, details?: Readonly<Record<string, unknown>>) => void;

/**
 * Runs `work` in one transaction of the caller's tenant and commits the activity-log event with
 * it. After the commit the tenant's RBAC engine syncs, so this process's in-memory views (RBAC,
 * who may log in where) are never stale after a change returns.
 */
export async function inChange<T>(
  request: FastifyRequest,
  deps: Pick<DomainServices, "transaction" | "rbac">,
  work: (tx: ChangeRepositories, note: NoteChange) => Promise<T>,
): Promise<T> {
  const principal = request.principal;
  if (principal === null) throw new TypeError("inChange needs an authenticated request");
  const value = await deps.transaction(principal.tenantId, async (tx) => {
    let target = request.auditTarget ?? pathOf(request);
    let details: Readonly<Record<string, unknown>> = {};
    const result = await work(tx, (t, d) => {
      target = t;
      request.auditTarget = t;
      if (d !== undefined) details = d;
    });
    await appendAuditEvent(tx.audit, {
      tenantId: principal.tenantId,
      actor: principal.objectId,
      action: actionOf(request),
      target,
      result: "success",
      correlationId: request.id,
      details: { method: request.method, ...details },
    });
    return result;
  });
  request.auditRecorded = true;
  await (await deps.rbac(principal.tenantId)).sync();
  return value;
}

/** Records refused and failed changes (after the response; they changed nothing). */
export function registerAudit(
  app: FastifyInstance,
  audit: AuditSink,
  backgroundErrors?: BackgroundErrors,
): void {
  app.decorateRequest("auditTarget", undefined);
  app.decorateRequest("auditRecorded", false);
  app.decorateRequest("auditErrorCode", undefined);
  app.decorateRequest("auditErrorReason", undefined);
  app.addHook("onError", async (request, _reply, error) => {
    // What the caller was answered: a stable code and a public message (5xx: "internal error").
    const { code, message } = toErrorResponse(error).body.error;
    request.auditErrorCode = code;
    request.auditErrorReason = message.slice(0, PUBLIC_REASON_MAX);
  });
  app.addHook("onSend", async (request, reply, payload) => {
    if (!CHANGES.has(request.method) || request.principal === null || request.auditRecorded) return payload;
    if (request.routeOptions.config.readOnly === true) return payload;
    const status = reply.statusCode;
    if (status < 400) {
      // A route that changed something without `inChange`: a bug; its record is at least kept.
      request.log.error({ route: request.routeOptions.url }, "change not recorded in its transaction");
    }
    try {
      await audit.append({
        tenantId: request.principal.tenantId,
        actor: request.principal.objectId,
        action: actionOf(request),
        target: request.auditTarget ?? pathOf(request),
        result: status < 400 ? "success" : status === 401 || status === 403 ? "denied" : "failure",
        correlationId: request.id,
        details: {
          method: request.method,
          status,
          ...(request.auditErrorCode === undefined ? {} : { code: request.auditErrorCode }),
          ...(request.auditErrorReason === undefined ? {} : { reason: request.auditErrorReason }),
          ...(status < 400 ? { recordedAfterResponse: true } : {}),
        },
      });
    } catch (error) {
      // Nothing was changed; the lost record of a refusal is logged loudly and counted.
      request.log.error({ err: error }, "audit write failed");
      backgroundErrors?.record("auditAfterResponse", error);
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
