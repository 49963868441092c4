/**
 * Crash rounds (issue 11 item 10): a real `hostpass server` killed with SIGKILL at random moments
 * during a load of DPoP-bound certificate issuances and role changes, restarted on the same store,
 * and checked against what its clients were told (test/helpers/crash-harness.ts says what).
 *
 *   npm run bench -- crash [--rounds=50] [--issuers=6] [--writers=2] [--database URL]
 *
 * Prints rounds, certificates received, losses, ledger rows without their activity-log event,
 * and `hostpass audit verify`'s result. With `--database postgres://…` each run works in a schema
 * of its own, dropped afterwards. `pass` is true only when nothing was lost, nothing was
 * half-written and the chain verified after every round.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { runCrashRounds } from "../test/helpers/crash-harness.ts";
import { numberOption, round } from "./lib-measure.ts";

export async function run(args: string[]): Promise<object> {
  const i = args.indexOf("--database");
  let database = i >= 0 ? args[i + 1] : undefined;
  if (database) {
    const url = new URL(database);
    url.searchParams.set("schema", `hostpass_crash_${process.pid}_${randomBytes(3).toString("hex")}`);
    database = url.toString();
  }
  const loadBefore = loadavg()[0] ?? 0;
  const started = performance.now();
  const report = await runCrashRounds({
    rounds: numberOption(args, "rounds", 50),
    issuers: numberOption(args, "issuers", 6),
    roleWriters: numberOption(args, "writers", 2),
    ...(database ? { database } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const pass =
    report.losses.certificates === 0 &&
    report.losses.roleAssignments === 0 &&
    report.losses.deletionsUndone === 0 &&
    report.ledgerRowsWithoutAudit === 0 &&
    report.auditEventsWithoutLedgerRow === 0 &&
    report.assignmentsWithoutAudit === 0 &&
    report.assignmentEventsWithoutOutcome === 0 &&
    report.chain.ok &&
    (report.store === "PostgreSQL" || report.integrity === "ok") &&
    report.failedBeforeKill === 0;
  return {
    what: "SIGKILL at a random moment during issuances and role changes, restart, check the store against the clients",
    ...report,
    seconds: round((performance.now() - started) / 1000, 1),
    machine: { loadAverage1mBefore: round(loadBefore, 2), loadAverage1mAfter: round(loadavg()[0] ?? 0, 2) },
    pass,
  };
}
