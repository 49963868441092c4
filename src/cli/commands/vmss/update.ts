import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { resourceGroupOption } from "../../lib/options.ts";
import { machinePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const vmssUpdateCommand: CliCommand<{
  resourceGroup: string;
  name: string;
  image?: string;
  size?: string;
}> = {
  path: ["vmss", "update"],
  summary: "Change a scale set's model (instances then report latestModelApplied=false).",
  examples: [
    {
      summary: "A new image for the scale set.",
      command: "hostpass vmss update -g LinuxVMs -n myVMSS --image debian-13",
    },
  ],
  configure(command) {
    resourceGroupOption(command)
      .requiredOption("-n, --name <name>", "name of the scale set")
      .option("--image <image>", "new OS image")
      .option("--size <size>", "new machine size");
  },
  async run(ctx, args) {
    if (!args.image && !args.size) throw new CliUsageError("give --image or --size (or both)");
    const api = await openApi(ctx);
    const path = machinePath("vmss", await api.subscriptionId(), args.resourceGroup, args.name);
    return api.patch(path, {
      ...(args.image ? { image: args.image } : {}),
      ...(args.size ? { size: args.size } : {}),
    });
  },
};
