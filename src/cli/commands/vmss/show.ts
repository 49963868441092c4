import type { CliCommand } from "../../command.ts";
import { getMachine, scaleSetRows } from "../../lib/machines.ts";
import { scopePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";
import { type MachineRefArgs, machineRef, machineRefOptions } from "../vm/show.ts";

export const vmssShowCommand: CliCommand<MachineRefArgs> = {
  path: ["vmss", "show"],
  summary: "Show a scale set: its model, identity and extensions.",
  examples: [
    { summary: "Show a scale set.", command: "hostpass vmss show -g LinuxVMs -n myVMSS" },
    {
      summary: "Its id, for a role assignment's --scope.",
      command: "hostpass vmss show -g LinuxVMs -n myVMSS --query id -o tsv",
    },
  ],
  configure: (command) => machineRefOptions(command, "scale set"),
  tableRows: scaleSetRows,
  async run(ctx, args) {
    const api = await openApi(ctx);
    if (args.ids) return api.get(scopePath(args.ids));
    const { group, name } = machineRef(args);
    return getMachine(api, "vmss", group, name);
  },
};
