import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { setDefaultAccount } from "../../session/accounts.ts";
import { showCloud } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const accountSetCommand: CliCommand = {
  path: ["account", "set"],
  summary: "Make another signed-in account the default: --subscription <subscription, tenant or user>.",
  examples: [
    {
      summary: "Use another subscription by default.",
      command: "hostpass account set --subscription 'Default Subscription'",
    },
  ],
  configure() {},
  async run(ctx) {
    // `--subscription` is the global flag (PRODUCT.md §3); `account set` requires it.
    const selector = ctx.globals.subscription;
    if (!selector) throw new CliUsageError("--subscription <id-or-name> is required");
    const dir = configDir(ctx.env);
    await setDefaultAccount(dir, (await showCloud(dir)).name, selector);
    return undefined;
  },
};
