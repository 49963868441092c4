/**
 * The sign-in log and the activity log: filters (principal, result, app, address, machine or other
 * target, action, time range in UTC), pages of 50, a chart of the whole range, and the whole range
 * exported as CSV or JSON (`?format=csv|json`, the filters as shown).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { queryString } from "../../lib/forms.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { type AdminPage, adminGet } from "../lib/admin-route.ts";
import { type AdminContext, ApiError } from "../lib/api-client.ts";
import type { ListOf } from "../lib/api-types.ts";
import {
  allRows,
  apiQuery,
  filtersOf,
  LOG_PATHS,
  type LogFilters,
  type LogKind,
  rangeOf,
  toCsv,
} from "../lib/log-queries.ts";
import { activityChart, bucketize } from "../views/chart.ts";
import { logFilterForm, logTabs } from "../views/logs.ts";
import { badge, pager, skipTokenOf, table, time } from "../views/parts.ts";

interface SignInRow {
  readonly createdDateTime: string;
  readonly userPrincipalName?: string;
  readonly userId?: string;
  readonly appId?: string;
  readonly ipAddress: string;
  readonly result: string;
  readonly failureReason?: string;
  readonly mfaMethod?: string;
  readonly appliedConditionalAccessPolicies: readonly unknown[];
}

interface ActivityRow {
  readonly time: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly result: string;
  readonly correlationId: string;
}

const COLUMNS: Readonly<Record<LogKind, readonly string[]>> = {
  "sign-ins": [
    "createdDateTime",
    "userPrincipalName",
    "userId",
    "appId",
    "resourceId",
    "ipAddress",
    "result",
    "failureReason",
    "mfaMethod",
    "correlationId",
  ],
  activity: ["time", "actor", "action", "target", "result", "correlationId", "seq", "hash"],
};

export function registerLogs(app: FastifyInstance, ctx: AdminContext): void {
  for (const kind of ["sign-ins", "activity"] as const) {
    adminGet(app, ctx, `/logs/${kind}`, async (page, request, reply) => {
      const filters = filtersOf(request, page.now());
      const format = queryString(request, "format");
      if (format === "csv" || format === "json") return exportLog(page, reply, kind, filters, format);
      return logPage(page, request, kind, filters);
    });
  }
}

async function logPage(
  page: AdminPage,
  request: FastifyRequest,
  kind: LogKind,
  filters: LogFilters,
): Promise<string> {
  const form = logFilterForm(page.base, kind, filters);
  let content: SafeHtml;
  try {
    const query = await apiQuery(page, kind, filters);
    const skipToken = queryString(request, "skipToken");
    const pageQuery = new URLSearchParams(query);
    pageQuery.set("top", "50");
    if (skipToken) pageQuery.set("skipToken", skipToken);
    const [list, range] = await Promise.all([
      page.api.get<ListOf<SignInRow & ActivityRow>>(`${LOG_PATHS[kind]}?${pageQuery}`),
      allRows<SignInRow & ActivityRow>(page, kind, query),
    ]);
    const { from, to } = rangeOf(filters);
    const events = range.rows.map((r) => ({
      time: kind === "sign-ins" ? r.createdDateTime : r.time,
      result: r.result,
    }));
    const title = `${kind === "sign-ins" ? "Sign-ins" : "Activity"} from ${filters.from} to ${filters.to} UTC`;
    const chart = activityChart(title, bucketize(events, from, to, 24), from, to);
    const capped = range.complete
      ? html``
      : html`<p class="muted">The chart counts the newest ${String(range.rows.length)} entries only.</p>`;
    const next = skipTokenOf(list.nextLink);
    const here = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== "")).toString();
    const nextHref =
      next === undefined
        ? undefined
        : `${page.base}/logs/${kind}?${here}&skipToken=${encodeURIComponent(next)}`;
    content = html`${chart}${capped}
<p class="toolbar"><a href="${page.base}/logs/${kind}?${here}&format=csv" download>Export CSV</a> <a href="${page.base}/logs/${kind}?${here}&format=json" download>Export JSON</a></p>
${kind === "sign-ins" ? signInTable(list.value) : activityTable(list.value)}${pager(nextHref)}`;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
    content = html`<p class="alert error" role="alert">${error.message}</p>`;
  }
  const body = html`${logTabs(page.base, kind)}${form}${content}`;
  return page.render("logs", kind === "sign-ins" ? "Sign-in logs" : "Activity log", body);
}

function resultBadge(result: string): SafeHtml {
  return badge(result, result === "success" ? "ok" : result === "interrupted" ? "warn" : "bad");
}

function signInTable(rows: readonly SignInRow[]): SafeHtml {
  return table(
    "Sign-ins, newest first",
    ["Time", "User or app", "Application", "Address", "Result", "Details"],
    rows.map((r) => [
      time(r.createdDateTime),
      r.userPrincipalName ?? r.userId ?? "",
      r.appId ?? "",
      r.ipAddress,
      resultBadge(r.result),
      [
        r.failureReason,
        r.mfaMethod ? `MFA: ${r.mfaMethod}` : "",
        r.appliedConditionalAccessPolicies.length > 0
          ? `${r.appliedConditionalAccessPolicies.length} policies evaluated`
          : "",
      ]
        .filter(Boolean)
        .join(" · "),
    ]),
    "No sign-in matches these filters.",
  );
}

function activityTable(rows: readonly ActivityRow[]): SafeHtml {
  return table(
    "Activity, newest first",
    ["Time", "Who", "Action", "Target", "Result"],
    rows.map((r) => [
      time(r.time),
      html`<code>${r.actor}</code>`,
      r.action,
      html`<code>${r.target}</code>`,
      resultBadge(r.result),
    ]),
    "No activity matches these filters.",
  );
}

async function exportLog(
  page: AdminPage,
  reply: FastifyReply,
  kind: LogKind,
  filters: LogFilters,
  format: "csv" | "json",
): Promise<FastifyReply> {
  const { rows } = await allRows<Record<string, unknown>>(page, kind, await apiQuery(page, kind, filters));
  const name = `hostpass-${kind}-${filters.from.replace(/[:T]/g, "")}-${filters.to.replace(/[:T]/g, "")}.${format}`;
  reply.header("content-disposition", `attachment; filename="${name}"`);
  if (format === "json")
    return reply.type("application/json; charset=utf-8").send(JSON.stringify(rows, null, 2));
  return reply.type("text/csv; charset=utf-8").send(toCsv(COLUMNS[kind], rows));
}
