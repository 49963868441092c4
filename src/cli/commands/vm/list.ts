import type { CliCommand } from "../../command.ts";
import { type MachineDto, machineRows } from "../../lib/machines.ts";
import { type MachineKind, machinesPath, subscriptionPath } from "../../lib/resource-paths.ts";
import { type ApiClient, openApi } from "../../session/api.ts";

export const vmListCommand: CliCommand<{ resourceGroup?: string }> = {
  path: ["vm", "list"],
  summary: "List virtual machines of a resource group, or of the whole subscription.",
  examples: [
    {
      summary: "List the VMs of a resource group as a table.",
      command: "hostpass vm list -g LinuxVMs -o table",
    },
    {
      summary: "Names and private addresses of every VM.",
      command: "hostpass vm list --query '[].[name, privateIps]' -o tsv",
    },
  ],
  configure(command) {
    command.option("-g, --resource-group <name>", "name of the resource group (default: all)");
  },
  tableRows: machineRows,
  async run(ctx, args) {
    return listMachines(await openApi(ctx), "vm", args.resourceGroup);
  },
};

export async function listMachines(api: ApiClient, kind: MachineKind, group?: string): Promise<MachineDto[]> {
  const subscription = await api.subscriptionId();
  const groups =
    group !== undefined
      ? [group]
      : (await api.list<{ name: string }>(`${subscriptionPath(subscription)}/resourceGroups`)).map(
          (g) => g.name,
        );
  const lists = await Promise.all(
    groups.map((g) => api.list<MachineDto>(machinesPath(kind, subscription, g))),
  );
  return lists.flat();
}
