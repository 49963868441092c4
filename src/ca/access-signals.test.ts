/** The sign-in risk issuance reads from the sign-in log (targeted queries). */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { SignInLogEntry, SignInLogQuery } from "../audit/index.ts";
import { type AccessSignalSource, riskOf } from "./index.ts";

/** An in-memory test double of the sign-in log with the store's filter semantics. */
function logOf(entries: SignInLogEntry[]): Pick<AccessSignalSource, "signIns"> {
  return {
    signIns: async (f: SignInLogQuery, limit: number) =>
      entries
        .filter(
          (e) =>
            e.tenantId === f.tenantId &&
            (!f.principalId || e.principalId === f.principalId) &&
            (!f.ip || e.ip === f.ip) &&
            (!f.result || e.result === f.result) &&
            (!f.from || e.time >= f.from),
        )
        .sort((a, b) => b.time.getTime() - a.time.getTime())
        .slice(0, limit),
  };
}

const now = new Date("2026-11-24T10:00:00Z");
const who = {
  kind: "user" as const,
  tenantId: "t1",
  objectId: "alice",
  linuxName: "alice@x.y",
  enabled: true,
};
const entry = (
  ip: string,
  result: SignInLogEntry["result"],
  minutesAgo: number,
  principalId = "alice",
): SignInLogEntry => ({
  id: randomUUID(),
  time: new Date(now.getTime() - minutesAgo * 60_000),
  tenantId: "t1",
  principalId,
  ip,
  userAgent: "t",
  result,
  policies: [],
  correlationId: randomUUID(),
});

test("failures from an unfamiliar address raise the risk; a familiar address does not", async () => {
  const entries = [
    entry("10.0.0.1", "success", 60 * 24),
    ...[1, 2, 3].map((m) => entry("203.0.113.9", "failure", m)),
  ];
  const w = logOf(entries);
  assert.equal(await riskOf(w, who, "203.0.113.9", now), "medium");
  assert.equal(await riskOf(w, who, "10.0.0.1", now), "none");
  assert.equal(await riskOf({}, who, "203.0.113.9", now), "none", "no log, no signal");
});
