/**
 * `hostpass audit verify`: an operator command on the server machine that re-hashes the activity
 * log's chain and names any edited, missing or reordered row. It opens the store directly (like
 * `hostpass server`), so it works even when the service is down; exit code 9 means tampering.
 */
import { HostpassError } from "../../../shared/errors.ts";
import type { CliCommand } from "../../command.ts";
import { defaultServerDataDir } from "../../session/config-dir.ts";

/** The chain does not verify: a row was edited, removed or moved. Exit code 9 (docs/errors.md). */
export class AuditChainBrokenError extends HostpassError {
  static readonly code = "ERR_AUDIT_CHAIN_BROKEN";
  readonly code = AuditChainBrokenError.code;
  readonly kind = "conflict";
}

export const auditVerifyCommand: CliCommand<{ dataDir?: string; database?: string }> = {
  path: ["audit", "verify"],
  summary: "Verify the activity log's hash chain (run on the server machine).",
  examples: [
    { summary: "Check the default data directory's store.", command: "hostpass audit verify" },
    {
      summary: "Check a PostgreSQL store.",
      command: "hostpass audit verify --database postgres://hostpass@db/hostpass",
    },
  ],
  configure(command) {
    command
      .option("--data-dir <dir>", "the server's state directory")
      .option("--database <url>", "store URL (default: the SQLite file in the data directory)");
  },
  async run(ctx, args) {
    // Loaded here so that other commands never load the store.
    const { verifyAuditChain } = await import("../../../audit/index.ts");
    const { openStore, sqliteUrlForDataDir } = await import("../../../store/index.ts");
    const store = await openStore({
      url: args.database ?? sqliteUrlForDataDir(args.dataDir ?? defaultServerDataDir()),
    });
    try {
      const report = await verifyAuditChain(store.audit);
      if (!report.ok) {
        ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        throw new AuditChainBrokenError(
          `the activity log was tampered with: ${report.problems.length} problem(s)`,
        );
      }
      return report;
    } finally {
      await store.close();
    }
  },
};
