import type { CliCommand } from "../../command.ts";
import { machinePath, scopePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";
import { type MachineRefArgs, machineRef, machineRefOptions } from "./show.ts";

export const vmDeleteCommand: CliCommand<MachineRefArgs> = {
  path: ["vm", "delete"],
  summary: "Delete a virtual machine and its managed identity.",
  examples: [
    { summary: "Delete a VM without a prompt.", command: "hostpass vm delete -g LinuxVMs -n myVM --yes" },
  ],
  confirmation: true,
  configure(command) {
    machineRefOptions(command, "virtual machine");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    let path: string;
    if (args.ids) path = scopePath(args.ids);
    else {
      const { group, name } = machineRef(args);
      path = machinePath("vm", await api.subscriptionId(), group, name);
    }
    await api.delete(path);
    return undefined;
  },
};
