import type { CliCommand } from "../../command.ts";
import { setCloud } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const cloudSetCommand: CliCommand<{ name: string }> = {
  path: ["cloud", "set"],
  summary: "Make a registered cloud the active one.",
  examples: [{ summary: "Switch to the cloud named prod.", command: "hostpass cloud set -n prod" }],
  configure(command) {
    command.requiredOption("-n, --name <name>", "name of the cloud");
  },
  async run(ctx, args) {
    return setCloud(configDir(ctx.env), args.name);
  },
};
