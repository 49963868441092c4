import type { CliCommand } from "../../command.ts";
import { scaleSetRows } from "../../lib/machines.ts";
import { openApi } from "../../session/api.ts";
import { listMachines } from "../vm/list.ts";

export const vmssListCommand: CliCommand<{ resourceGroup?: string }> = {
  path: ["vmss", "list"],
  summary: "List scale sets of a resource group, or of the whole subscription.",
  examples: [
    { summary: "List the scale sets of a group.", command: "hostpass vmss list -g LinuxVMs -o table" },
  ],
  configure(command) {
    command.option("-g, --resource-group <name>", "name of the resource group (default: all)");
  },
  tableRows: scaleSetRows,
  async run(ctx, args) {
    return listMachines(await openApi(ctx), "vmss", args.resourceGroup);
  },
};
