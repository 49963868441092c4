/**
 * The sign-in log: one row per attempt, append-only, newest first with keyset pages on
 * (time, id). Text is stored verbatim with one exception: PostgreSQL text cannot hold U+0000, so
 * NUL becomes U+FFFD on both dialects; an attempt carrying one is still logged, and the same
 * everywhere. (JSON columns keep NUL, escaped as `\u0000`.)
 */
import type { Selectable } from "kysely";
import { InvalidPageError } from "../errors.ts";
import { millis, type StoreContext, toDate } from "../lib/context.ts";
import { freeText } from "../lib/key-text.ts";
import { checkLimit, decodeCursor, pageOf } from "../lib/paging.ts";
import type { Database } from "../schema.ts";
import {
  SIGN_IN_RESULTS,
  type SignInLogEntry,
  type SignInLogRepository,
  type SignInResult,
} from "../sign-in-types.ts";

type Row = Selectable<Database["sign_in_events"]>;

const clean = freeText;
const opt = (s: string | undefined): string | null => (s === undefined ? null : clean(s));

function toEntry(r: Row): SignInLogEntry {
  const optional = {
    principalId: r.principal_id,
    principalName: r.principal_name,
    principalKind: r.principal_kind,
    appId: r.app_id,
    resource: r.resource,
    deviceId: r.device_id,
    failureReason: r.failure_reason,
    mfaMethod: r.mfa_method,
  };
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== null));
  return {
    id: r.id,
    time: toDate(r.time),
    tenantId: r.tenant_id,
    ...present,
    ip: r.ip,
    userAgent: r.user_agent,
    result: r.result as SignInResult,
    policies: JSON.parse(r.policies) as unknown[],
    correlationId: r.correlation_id,
  };
}

/** Cursor text: `<time ms>:<id>`. */
function parseCursor(cursor: string | undefined): { time: number; id: string } | undefined {
  const text = decodeCursor(cursor);
  if (text === undefined) return undefined;
  const m = /^(0|[1-9][0-9]{0,15}):(.{1,200})$/s.exec(text);
  if (!m?.[1] || !m[2]) throw new InvalidPageError("invalid page cursor");
  return { time: Number(m[1]), id: m[2] };
}

function rowOf(e: SignInLogEntry) {
  if (!(SIGN_IN_RESULTS as readonly string[]).includes(e.result))
    throw new TypeError(`unknown sign-in result ${e.result}`);
  const time = millis(e.time);
  if (!Number.isSafeInteger(time) || time < 0) throw new TypeError("a sign-in needs a valid time");
  return {
    id: clean(e.id),
    time,
    tenant_id: clean(e.tenantId),
    principal_id: opt(e.principalId),
    principal_name: opt(e.principalName),
    principal_kind: opt(e.principalKind),
    app_id: opt(e.appId),
    resource: opt(e.resource),
    ip: clean(e.ip),
    user_agent: clean(e.userAgent),
    device_id: opt(e.deviceId),
    result: e.result,
    failure_reason: opt(e.failureReason),
    mfa_method: opt(e.mfaMethod),
    policies: JSON.stringify(e.policies),
    correlation_id: clean(e.correlationId),
  };
}

/** Rows per INSERT: 16 parameters each stays far under SQLite's bound-parameter limit. */
const ROWS_PER_INSERT = 500;

async function appendRows(ctx: StoreContext, entries: readonly SignInLogEntry[]): Promise<void> {
  const rows = entries.map(rowOf);
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    await ctx.db
      .insertInto("sign_in_events")
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .execute();
}

export function sqlSignInLog(ctx: StoreContext): SignInLogRepository {
  const { db } = ctx;
  return {
    append: (e) => appendRows(ctx, [e]),
    appendMany: (entries) => appendRows(ctx, entries),

    async query(f, page) {
      const limit = checkLimit(page.limit);
      const after = parseCursor(page.cursor);
      let q = db.selectFrom("sign_in_events").selectAll().where("tenant_id", "=", clean(f.tenantId));
      if (f.from !== undefined) q = q.where("time", ">=", millis(f.from));
      if (f.to !== undefined) q = q.where("time", "<", millis(f.to));
      if (f.principalId !== undefined) q = q.where("principal_id", "=", clean(f.principalId));
      if (f.appId !== undefined) q = q.where("app_id", "=", clean(f.appId));
      if (f.ip !== undefined) q = q.where("ip", "=", clean(f.ip));
      if (f.result !== undefined) q = q.where("result", "=", f.result);
      if (f.correlationId !== undefined) q = q.where("correlation_id", "=", clean(f.correlationId));
      if (after !== undefined) {
        q = q.where((eb) =>
          eb.or([
            eb("time", "<", after.time),
            eb.and([eb("time", "=", after.time), eb("id", "<", clean(after.id))]),
          ]),
        );
      }
      const rows = await q
        .orderBy("time", "desc")
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute();
      return pageOf(rows, limit, (r) => `${r.time}:${r.id}`, toEntry);
    },
  };
}
