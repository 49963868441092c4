import type { CliCommand } from "../../command.ts";
import { resourceGroupOption } from "../../lib/options.ts";
import { parseInteger } from "../../lib/parse.ts";
import { machinePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";
import { createMachine, type MachineCreateArgs, machineCreateOptions } from "../vm/create.ts";

export const vmssCreateCommand: CliCommand<MachineCreateArgs & { instanceCount: string }> = {
  path: ["vmss", "create"],
  summary: "Create a virtual machine scale set and its instances.",
  examples: [
    {
      summary: "A scale set of two instances with a managed identity.",
      command:
        "hostpass vmss create -g LinuxVMs -n myVMSS --image debian-12 --assign-identity --instance-count 2",
    },
  ],
  configure(command) {
    machineCreateOptions(resourceGroupOption(command), "scale set");
    command.option("--instance-count <n>", "number of instances (0-100)", "2");
  },
  async run(ctx, args) {
    const count = parseInteger("--instance-count", args.instanceCount, 0, 100);
    const created = await createMachine(ctx, "vmss", args);
    const api = await openApi(ctx);
    const path = machinePath("vmss", await api.subscriptionId(), args.resourceGroup, args.name);
    for (let i = 0; i < count; i++) await api.put(`${path}/virtualMachines/${i}`, {});
    return { ...created, instanceCount: count };
  },
};
