/** The sign-in risk the certificate endpoint reads from the sign-in log (targeted queries). */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import type { SignInLogEntry, SignInLogQuery } from "../../src/audit/index.ts";
import { riskOf } from "../../src/server/certificate-signals.ts";
import type { CertificateWiring } from "../../src/server/wire-certificates.ts";

/** An in-memory test double of the sign-in log with the store's filter semantics. */
function logOf(entries: SignInLogEntry[]): CertificateWiring["signInLog"] {
  return {
    append: async (e) => void entries.push(e),
    query: async (f: SignInLogQuery, page: { limit: number }) => ({
      items: entries
        .filter(
          (e) =>
            e.tenantId === f.tenantId &&
            (!f.principalId || e.principalId === f.principalId) &&
            (!f.ip || e.ip === f.ip) &&
            (!f.result || e.result === f.result) &&
            (!f.from || e.time >= f.from),
        )
        .sort((a, b) => b.time.getTime() - a.time.getTime())
        .slice(0, page.limit),
    }),
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
  const w = { signInLog: logOf(entries) } as unknown as CertificateWiring;
  assert.equal(await riskOf(w, who, "203.0.113.9", now), "medium");
  assert.equal(await riskOf(w, who, "10.0.0.1", now), "none");
  assert.equal(await riskOf({} as CertificateWiring, who, "203.0.113.9", now), "none", "no log, no signal");
});
