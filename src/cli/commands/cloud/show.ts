import type { CliCommand } from "../../command.ts";
import { showCloud } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const cloudShowCommand: CliCommand<{ name?: string }> = {
  path: ["cloud", "show"],
  summary: "Show the active cloud, or the one named.",
  examples: [
    { summary: "Show the active cloud.", command: "hostpass cloud show" },
    {
      summary: "The endpoint of the cloud named prod.",
      command: "hostpass cloud show -n prod --query endpoint -o tsv",
    },
  ],
  configure(command) {
    command.option("-n, --name <name>", "name of the cloud (default: the active one)");
  },
  async run(ctx, args) {
    return showCloud(configDir(ctx.env), args.name);
  },
};
