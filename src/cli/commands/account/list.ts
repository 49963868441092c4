import type { CliCommand } from "../../command.ts";
import { accountRows, describeAccount } from "../../lib/describe-account.ts";
import { loadAccounts } from "../../session/accounts.ts";
import { configDir } from "../../session/config-dir.ts";

export const accountListCommand: CliCommand = {
  path: ["account", "list"],
  summary: "List signed-in accounts of every cloud.",
  examples: [{ summary: "List the signed-in accounts.", command: "hostpass account list -o table" }],
  configure() {},
  tableRows: accountRows,
  async run(ctx) {
    return (await loadAccounts(configDir(ctx.env))).map(describeAccount);
  },
};
