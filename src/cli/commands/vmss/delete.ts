import type { CliCommand } from "../../command.ts";
import { resourceGroupOption } from "../../lib/options.ts";
import { machinePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const vmssDeleteCommand: CliCommand<{ resourceGroup: string; name: string }> = {
  path: ["vmss", "delete"],
  summary: "Delete a scale set, its instances and its managed identity.",
  examples: [
    {
      summary: "Delete a scale set without a prompt.",
      command: "hostpass vmss delete -g LinuxVMs -n myVMSS --yes",
    },
  ],
  confirmation: true,
  configure(command) {
    resourceGroupOption(command).requiredOption("-n, --name <name>", "name of the scale set");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const path = machinePath("vmss", await api.subscriptionId(), args.resourceGroup, args.name);
    await api.delete(path);
    return undefined;
  },
};
