/**
 * Issue 11 item 10 in CI: a real `hostpass server` killed with SIGKILL at random moments during
 * DPoP-bound issuances and role changes, a few rounds per store (`npm run bench -- crash` runs 50).
 * After each restart: every certificate a client received is in the ledger, no ledger row lacks
 * its activity-log event (nor the reverse), acknowledged role changes are kept, nothing is
 * half-written, `hostpass audit verify` passes, SQLite's integrity check is ok.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { runCrashRounds } from "../helpers/crash-harness.ts";
import { PG_URL, selectedDialects } from "../store/dialects.ts";

for (const dialect of selectedDialects()) {
  describe(`crash recovery (${dialect})`, () => {
    test("SIGKILL during issuances and role changes loses nothing the clients were told and leaves nothing half-written", async () => {
      const database =
        dialect === "postgres"
          ? `${PG_URL}?schema=hp_crash_${process.pid}_${randomBytes(3).toString("hex")}`
          : undefined;
      const report = await runCrashRounds({
        rounds: dialect === "sqlite" ? 4 : 3,
        issuers: 4,
        roleWriters: 2,
        killWindowMs: [700, 2500],
        ...(database ? { database } : {}),
      });
      assert.deepEqual(report.problems, []);
      assert.equal(report.failedBeforeKill, 0);
      assert.deepEqual(report.losses, { certificates: 0, roleAssignments: 0, deletionsUndone: 0 });
      assert.equal(report.ledgerRowsWithoutAudit, 0);
      assert.equal(report.auditEventsWithoutLedgerRow, 0);
      assert.equal(report.assignmentsWithoutAudit, 0);
      assert.equal(report.assignmentEventsWithoutOutcome, 0);
      assert.equal(report.chain.ok, true);
      if (dialect === "sqlite") assert.equal(report.integrity, "ok");
      // Not vacuous: the load really ran, and the kills really cut requests off mid-flight.
      assert.ok(report.certificatesReceived > 0, "no certificate was issued");
      assert.ok(report.roleAssignmentsAcknowledged > 0, "no role assignment was made");
      assert.ok(report.requestsCutOff > 0, "no kill caught a request in flight");
      assert.ok(report.ledgerRows >= report.certificatesReceived);
    });
  });
}
