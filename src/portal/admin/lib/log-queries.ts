/**
 * The two logs as the pages query them: the filter form's fields turned into the API's query
 * (a user typed by name is looked up to its object id), whole ranges fetched page by page for the
 * chart and for exports (bounded), and rows turned into CSV that a spreadsheet opens safely.
 */
import type { FastifyRequest } from "fastify";
import { queryString } from "../../lib/forms.ts";
import type { AdminPage } from "./admin-route.ts";
import { ApiError } from "./api-client.ts";
import type { ListOf } from "./api-types.ts";

export type LogKind = "sign-ins" | "activity";

export const LOG_PATHS: Readonly<Record<LogKind, string>> = {
  "sign-ins": "/auditLogs/signIns",
  activity: "/providers/Insights/eventtypes/management/values",
};

const DAY = 86_400_000;
/** An export or a chart reads at most this many rows. */
export const MAX_ROWS = 10_000;

export interface LogFilters {
  /** As typed: a UPN or an object id. */
  readonly principal: string;
  readonly result: string;
  readonly app: string;
  readonly ip: string;
  readonly target: string;
  readonly action: string;
  /** `YYYY-MM-DDTHH:MM` in UTC, as a datetime-local input holds it. */
  readonly from: string;
  readonly to: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export function filtersOf(request: FastifyRequest, now: number): LogFilters {
  const text = (name: string, max = 256) => (queryString(request, name) ?? "").trim().slice(0, max);
  const from = text("from", 16);
  const to = text("to", 16);
  return {
    principal: text("principal"),
    result: text("result", 16),
    app: text("app", 128),
    ip: text("ip", 64),
    target: text("target", 512),
    action: text("action", 256),
    from: LOCAL_TIME.test(from) ? from : minute(now - 7 * DAY),
    to: LOCAL_TIME.test(to) ? to : minute(now + 60_000),
  };
}

/** The time range in epoch ms. */
export function rangeOf(filters: LogFilters): { from: number; to: number } {
  const from = Date.parse(`${filters.from}:00Z`);
  const to = Date.parse(`${filters.to}:00Z`);
  if (!(from < to))
    throw new ApiError(400, "ERR_VALIDATION", "The start of the time range must be before its end.");
  return { from, to };
}

/** The API query for the filters (without paging). */
export async function apiQuery(
  page: AdminPage,
  kind: LogKind,
  filters: LogFilters,
): Promise<URLSearchParams> {
  const { from, to } = rangeOf(filters);
  const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  const principal = filters.principal === "" ? undefined : await principalId(page, filters.principal);
  if (kind === "sign-ins") {
    if (principal) query.set("userId", principal);
    if (filters.result) query.set("result", filters.result);
    if (filters.app) query.set("appId", filters.app);
    if (filters.ip) query.set("ipAddress", filters.ip);
  } else {
    if (principal) query.set("actor", principal);
    if (filters.target) query.set("target", filters.target);
    if (filters.action) query.set("action", filters.action);
  }
  return query;
}

async function principalId(page: AdminPage, typed: string): Promise<string> {
  if (UUID.test(typed)) return typed.toLowerCase();
  const user = await page.api
    .get<{ id: string }>(`/directory/users/${encodeURIComponent(typed)}`)
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404)
        throw new ApiError(404, "ERR_NOT_FOUND", `No user ${typed}.`);
      throw error;
    });
  return user.id;
}

/** Every row of the query, newest first, up to `limit`; `complete` is false when there were more. */
export async function allRows<T>(
  page: AdminPage,
  kind: LogKind,
  query: URLSearchParams,
  limit = MAX_ROWS,
): Promise<{ rows: T[]; complete: boolean }> {
  const rows: T[] = [];
  let next: string | undefined = `${LOG_PATHS[kind]}?${query}&top=1000`;
  while (next !== undefined && rows.length < limit) {
    const list: ListOf<T> = await page.api.get<ListOf<T>>(next);
    rows.push(...list.value);
    next = list.nextLink;
  }
  return { rows: rows.slice(0, limit), complete: next === undefined && rows.length <= limit };
}

/** CSV (RFC 4180) with a header; a cell a spreadsheet would run as a formula is prefixed with `'`. */
export function toCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, unknown>>[],
): string {
  const cell = (value: unknown) => {
    let text =
      value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(","), ...rows.map((row) => columns.map((c) => cell(row[c])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}
