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
 *
 * A call refused by authorization (`ERR_AUTHORIZATION_FAILED`, whether the route's permission or
 * the domain call refused it) is recorded whatever its method, reads included: result "denied",
 * the caller, the action checked as the operation, the scope it was checked at as the target, the
 * code and reason. Refusals are recorded at most `REFUSALS_RECORDED_PER_MINUTE` per caller per
 * minute (the one rate-limit mechanism, in this process's memory): the record that reaches the
 * limit says so, the rest are not written, so a flood of refused calls cannot grow the log or
 * its write load without bound.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { appendAuditEvent } from "../../audit/index.ts";
import { AuthorizationFailedError } from "../../rbac/index.ts";
import type { BackgroundErrors } from "../../shared/background-errors.ts";
import type { Clock } from "../../shared/clock.ts";
import { systemClock } from "../../shared/clock.ts";
import { PUBLIC_REASON_MAX } from "../../shared/public-failure.ts";
import { MemoryRateCounters, type RateCounters } from "../../shared/rate-counters.ts";
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
    /** What authorization refused (the action and the scope it was checked at), if it did. */
    auditDenial: { readonly action: string; readonly scope: string } | undefined;
  }
}

/** Records of refused calls written per caller per minute; beyond that they are not written. */
export const REFUSALS_RECORDED_PER_MINUTE = 30;
const REFUSAL_WINDOW_MS = 60_000;

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
export interface AuditOptions {
  readonly backgroundErrors?: BackgroundErrors | undefined;
  /** The time the refusal limit counts by (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** Where refusals are counted (default: this process's memory). */
  readonly counters?: RateCounters;
}

export function registerAudit(app: FastifyInstance, audit: AuditSink, options: AuditOptions = {}): void {
  const { backgroundErrors } = options;
  const clock = options.clock ?? systemClock;
  const counters = options.counters ?? new MemoryRateCounters(10_000);
  app.decorateRequest("auditTarget", undefined);
  app.decorateRequest("auditRecorded", false);
  app.decorateRequest("auditErrorCode", undefined);
  app.decorateRequest("auditErrorReason", undefined);
  app.decorateRequest("auditDenial", undefined);
  app.addHook("onError", async (request, _reply, error) => {
    // What the caller was answered: a stable code and a public message (5xx: "internal error").
    const { code, message } = toErrorResponse(error).body.error;
    request.auditErrorCode = code;
    request.auditErrorReason = message.slice(0, PUBLIC_REASON_MAX);
    if (error instanceof AuthorizationFailedError)
      request.auditDenial = { action: error.action, scope: error.scope };
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const principal = request.principal;
    if (principal === null || request.auditRecorded) return payload;
    const denial = request.auditDenial;
    if (denial === undefined) {
      if (!CHANGES.has(request.method) || request.routeOptions.config.readOnly === true) return payload;
    }
    const status = reply.statusCode;
    if (status < 400) {
      // A route that changed something without `inChange`: a bug; its record is at least kept.
      request.log.error({ route: request.routeOptions.url }, "change not recorded in its transaction");
    }
    let limited: Record<string, unknown> = {};
    if (status >= 400) {
      const key = `audit-refusals:${principal.tenantId}:${principal.objectId}`;
      const count = await counters.increment(key, REFUSAL_WINDOW_MS, clock());
      if (count > REFUSALS_RECORDED_PER_MINUTE) return payload;
      if (count === REFUSALS_RECORDED_PER_MINUTE) {
        request.log.warn({ actor: principal.objectId }, "refused calls: recording limit reached");
        limited = {
          recordingLimited: `at most ${REFUSALS_RECORDED_PER_MINUTE} refused calls of a caller are recorded per minute; this caller's next ones in this minute are not`,
        };
      }
    }
    try {
      await audit.append({
        tenantId: principal.tenantId,
        actor: principal.objectId,
        action: denial?.action ?? actionOf(request),
        target: denial?.scope ?? request.auditTarget ?? pathOf(request),
        result: status < 400 ? "success" : status === 401 || status === 403 ? "denied" : "failure",
        correlationId: request.id,
        details: {
          method: request.method,
          status,
          ...(request.auditErrorCode === undefined ? {} : { code: request.auditErrorCode }),
          ...(request.auditErrorReason === undefined ? {} : { reason: request.auditErrorReason }),
          ...(status < 400 ? { recordedAfterResponse: true } : {}),
          ...limited,
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

/** The path as a record's target: decoded, unprintable characters replaced, at most 512 characters. */
function pathOf(request: FastifyRequest): string {
  const path = decodeURIComponentSafe(request.url.split("?", 1)[0] ?? "").replace(UNPRINTABLE, "\uFFFD");
  return path.length > TARGET_MAX ? `${path.slice(0, TARGET_MAX - 1)}…` : path;
}

const TARGET_MAX = 512;
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
