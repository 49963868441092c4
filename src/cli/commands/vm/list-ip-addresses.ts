import type { CliCommand } from "../../command.ts";
import { getMachine, ipAddressesOf, ipAddressRows } from "../../lib/machines.ts";
import { openApi } from "../../session/api.ts";
import { listMachines } from "./list.ts";

export const vmListIpAddressesCommand: CliCommand<{ resourceGroup?: string; name?: string }> = {
  path: ["vm", "list-ip-addresses"],
  summary: "List the private and public addresses of virtual machines.",
  examples: [
    {
      summary: "The addresses of one VM.",
      command: "hostpass vm list-ip-addresses -g LinuxVMs -n myVM -o table",
    },
    {
      summary: "Its first private address.",
      command:
        "hostpass vm list-ip-addresses -g LinuxVMs -n myVM --query '[0].virtualMachine.network.privateIpAddresses[0]' -o tsv",
    },
  ],
  configure(command) {
    command
      .option("-g, --resource-group <name>", "name of the resource group (default: all)")
      .option("-n, --name <name>", "name of the virtual machine (default: all in the group)");
  },
  tableRows: ipAddressRows,
  async run(ctx, args) {
    const api = await openApi(ctx);
    if (args.name && args.resourceGroup)
      return [ipAddressesOf(await getMachine(api, "vm", args.resourceGroup, args.name))];
    const machines = await listMachines(api, "vm", args.resourceGroup);
    return machines.filter((m) => args.name === undefined || m.name === args.name).map(ipAddressesOf);
  },
};
