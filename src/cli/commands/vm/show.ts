import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { getMachine, machineRows } from "../../lib/machines.ts";
import { scopePath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export interface MachineRefArgs {
  readonly resourceGroup?: string;
  readonly name?: string;
  readonly ids?: string;
}

export const vmShowCommand: CliCommand<MachineRefArgs & { showDetails?: boolean }> = {
  path: ["vm", "show"],
  summary: "Show a virtual machine: its identity, addresses, extensions and agent status.",
  examples: [
    { summary: "Show a VM.", command: "hostpass vm show -g LinuxVMs -n myVM" },
    {
      summary: "Its id, as the seed feeds it to `role assignment create --scope`.",
      command: "vm=$(hostpass vm show -g LinuxVMs -n myVM --query id -o tsv)",
    },
  ],
  configure(command) {
    machineRefOptions(command, "virtual machine");
    command.option("-d, --show-details", "accepted for az compatibility: addresses are always shown");
  },
  tableRows: machineRows,
  async run(ctx, args) {
    const api = await openApi(ctx);
    if (args.ids) return api.get(scopePath(args.ids));
    const { group, name } = machineRef(args);
    return getMachine(api, "vm", group, name);
  },
};

/** `-g/-n` or `--ids`, as az's show and delete commands take them. */
export function machineRefOptions(command: import("commander").Command, what: string): void {
  command
    .option("-g, --resource-group <name>", "name of the resource group")
    .option("-n, --name <name>", `name of the ${what}`)
    .option("--ids <id>", `the ${what}'s resource id (instead of -g and -n)`);
}

export function machineRef(args: MachineRefArgs): { group: string; name: string } {
  if (args.ids && (args.resourceGroup || args.name))
    throw new CliUsageError("give either --ids or -g/--resource-group with -n/--name, not both");
  if (!args.resourceGroup || !args.name)
    throw new CliUsageError("-g/--resource-group and -n/--name are required (or --ids)");
  return { group: args.resourceGroup, name: args.name };
}
