import type { CliCommand } from "../../command.ts";
import { accountRows, describeAccount } from "../../lib/describe-account.ts";
import { defaultAccount } from "../../session/accounts.ts";
import { showCloud } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const accountShowCommand: CliCommand = {
  path: ["account", "show"],
  summary: "Show the signed-in account of the active cloud.",
  examples: [
    { summary: "Show the signed-in account.", command: "hostpass account show" },
    {
      summary: "The signed-in user's name, for scripts (as in the seed).",
      command: "username=$(hostpass account show --query user.name --output tsv)",
    },
  ],
  configure() {},
  tableRows: accountRows,
  async run(ctx) {
    const dir = configDir(ctx.env);
    return describeAccount(await defaultAccount(dir, (await showCloud(dir)).name));
  },
};
