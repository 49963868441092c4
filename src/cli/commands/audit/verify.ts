/**
 * `hostpass audit verify`: an operator command on the server machine that re-hashes the activity
 * log's chain and names any edited, missing or reordered row. It opens the store directly (like
 * `hostpass server`), so it works even when the service is down; exit code 9 means tampering.
 */
import { HostpassError } from "../../../shared/errors.ts";
import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { defaultServerDataDir } from "../../session/config-dir.ts";

/** The chain does not verify: a row was edited, removed or moved. Exit code 9 (docs/errors.md). */
export class AuditChainBrokenError extends HostpassError {
  static readonly code = "ERR_AUDIT_CHAIN_BROKEN";
  readonly code = AuditChainBrokenError.code;
  readonly kind = "conflict";
}

const CHECKPOINT = /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/;

export const auditVerifyCommand: CliCommand<{ dataDir?: string; database?: string; expectHead?: string }> = {
  path: ["audit", "verify"],
  summary: "Verify the activity log's hash chain (run on the server machine).",
  examples: [
    { summary: "Check the default data directory's store.", command: "hostpass audit verify" },
    {
      summary: "Check a PostgreSQL store (the key-encryption key from HOSTPASS_KEK or --data-dir).",
      command: "hostpass audit verify --database postgres://hostpass@db/hostpass",
    },
    {
      summary: "Check that the log still holds the head an earlier run printed (not cut back).",
      command:
        "hostpass audit verify --expect-head 1532:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
  ],
  configure(command) {
    command
      .option("--data-dir <dir>", "the server's state directory (its keys/kek keys the chain)")
      .option("--database <url>", "store URL (default: the SQLite file in the data directory)")
      .option(
        "--expect-head <seq:hash>",
        "a head an earlier run printed (headSeq:headHash): that event must still be in the log",
      );
  },
  async run(ctx, args) {
    const checkpoint = args.expectHead === undefined ? undefined : CHECKPOINT.exec(args.expectHead);
    if (checkpoint === null) throw new CliUsageError("--expect-head must be <headSeq>:<headHash> as printed");
    const expect = checkpoint && { seq: Number(checkpoint[1]), hash: checkpoint[2] as string };
    // Loaded here so that other commands never load the store.
    const { verifyAuditChain } = await import("../../../audit/index.ts");
    const { openStore, sqliteUrlForDataDir } = await import("../../../store/index.ts");
    const { loadKek } = await import("../../../server/keys/kek.ts");
    const dataDir = args.dataDir ?? defaultServerDataDir();
    // The chain is keyed from the server's key-encryption key: without it nothing can be verified.
    const store = await openStore({
      url: args.database ?? sqliteUrlForDataDir(dataDir),
      keyEncryptionKey: await loadKek(dataDir, ctx.env),
    });
    try {
      const report = await verifyAuditChain(store.audit, expect ? { expect } : {});
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
