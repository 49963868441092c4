import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { resourceGroupOption } from "../../lib/options.ts";
import { machinePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const vmssUpdateInstancesCommand: CliCommand<{
  resourceGroup: string;
  name: string;
  instanceIds: string[];
}> = {
  path: ["vmss", "update-instances"],
  summary: "Upgrade scale-set instances to the scale set's latest model.",
  examples: [
    {
      summary: "Upgrade every instance.",
      command: "hostpass vmss update-instances -g LinuxVMs -n myVMSS --instance-ids '*'",
    },
    {
      summary: "Upgrade instances 0 and 3.",
      command: "hostpass vmss update-instances -g LinuxVMs -n myVMSS --instance-ids 0 3",
    },
  ],
  configure(command) {
    resourceGroupOption(command)
      .requiredOption("-n, --name <name>", "name of the scale set")
      .requiredOption("--instance-ids <id...>", "instance ids, or '*' for all");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const path = machinePath("vmss", await api.subscriptionId(), args.resourceGroup, args.name);
    let ids = args.instanceIds;
    if (ids.includes("*")) {
      if (ids.length > 1) throw new CliUsageError("--instance-ids: '*' cannot be combined with ids");
      const instances = await api.list<{ name: string; id: string }>(`${path}/virtualMachines`);
      ids = instances.map((i) => i.id.slice(i.id.lastIndexOf("/") + 1));
    }
    const upgraded = [];
    for (const id of ids) {
      if (!/^(0|[1-9]\d{0,8})$/.test(id))
        throw new CliUsageError(`--instance-ids: ${JSON.stringify(id)} is not an instance id`);
      upgraded.push(await api.post(`${path}/virtualMachines/${id}/upgrade`));
    }
    return upgraded;
  },
};
