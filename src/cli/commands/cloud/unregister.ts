import type { CliCommand } from "../../command.ts";
import { unregisterCloud } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const cloudUnregisterCommand: CliCommand<{ name: string }> = {
  path: ["cloud", "unregister"],
  summary: "Remove a registered cloud.",
  examples: [{ summary: "Forget the cloud named staging.", command: "hostpass cloud unregister -n staging" }],
  confirmation: true,
  configure(command) {
    command.requiredOption("-n, --name <name>", "name of the cloud");
  },
  async run(ctx, args) {
    await unregisterCloud(configDir(ctx.env), args.name);
    return undefined;
  },
};
