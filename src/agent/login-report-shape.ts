/**
 * A login report in the shape the service accepts (`POST /agents/v1/reports`): the name must be a
 * Linux account name and the key id `<objectId>@<tenantId>`. A refused attempt carries whatever
 * the client sent (`ssh 'Admin User'@host`, a certificate from any CA with any key id), and one
 * report the service refuses fails its whole batch: such a report goes with the name `unknown`
 * and without the key id, the raw text escaped to printable ASCII in `reason`.
 */
import { isIP } from "node:net";
import type { AgentReport } from "../shared/host-protocol.ts";

type LoginReport = Extract<AgentReport, { type: "login" }>;

const NAME = /^[a-z][a-z0-9._@-]{0,31}$/;
const KEY_ID = /^[0-9a-f-]{36}@[0-9a-f-]{36}$/;
const MAX_REASON = 256;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Printable ASCII only: anything else (and `\`) escaped as `\u{…}` / `\\`; at most `max` characters. */
export function printableAscii(text: string, max = 64): string {
  return cut(
    text.replace(/[^\x20-\x7e]|\\/gu, (c) =>
      c === "\\" ? "\\\\" : `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
    ),
    max,
  );
}

export function shapeLoginReport(report: LoginReport): LoginReport {
  const notes: string[] = [];
  let { linuxName, keyId } = report;
  if (!NAME.test(linuxName)) {
    notes.push(`user name sent: "${printableAscii(linuxName)}"`);
    linuxName = "unknown";
  }
  if (keyId !== undefined && !KEY_ID.test(keyId)) {
    notes.push(`certificate key id: "${printableAscii(keyId)}"`);
    keyId = undefined;
  }
  const reason = [report.reason, ...notes].filter((x) => x !== undefined && x !== "").join("; ");
  const { keyId: _dropped, reason: _old, ...rest } = report;
  return {
    ...rest,
    linuxName,
    sourceAddress: isIP(report.sourceAddress) ? report.sourceAddress : "0.0.0.0",
    ...(keyId !== undefined ? { keyId } : {}),
    ...(reason ? { reason: cut(reason.replace(/[^\x20-\x7e]/g, "?"), MAX_REASON) } : {}),
  };
}
