import type { CliCommand } from "../../command.ts";
import { instanceRows } from "../../lib/machines.ts";
import { resourceGroupOption } from "../../lib/options.ts";
import { machinePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const vmssListInstancesCommand: CliCommand<{ resourceGroup: string; name: string }> = {
  path: ["vmss", "list-instances"],
  summary: "List a scale set's instances, their private addresses and whether they run the latest model.",
  examples: [
    {
      summary: "Instances on an old model (seed: upgrade them if connections fail).",
      command:
        "hostpass vmss list-instances -g LinuxVMs -n myVMSS --query '[?!latestModelApplied].name' -o tsv",
    },
  ],
  configure(command) {
    resourceGroupOption(command).requiredOption("-n, --name <name>", "name of the scale set");
  },
  tableRows: instanceRows,
  async run(ctx, args) {
    const api = await openApi(ctx);
    const path = machinePath("vmss", await api.subscriptionId(), args.resourceGroup, args.name);
    return api.list(`${path}/virtualMachines`);
  },
};
