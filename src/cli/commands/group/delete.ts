/**
 * `hostpass group delete`: like az, deletes what the group holds (machines and scale sets, each
 * with its managed identity) and then the group. The service deletes only empty groups, so the
 * CLI walks the group first, reporting each step on stderr.
 */
import type { CliCommand } from "../../command.ts";
import { machinePath, machinesPath, resourceGroupPath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const groupDeleteCommand: CliCommand<{ name: string }> = {
  path: ["group", "delete"],
  summary: "Delete a resource group and everything in it.",
  examples: [
    {
      summary: "Delete a resource group without a prompt.",
      command: "hostpass group delete -n LinuxVMs --yes",
    },
  ],
  confirmation: true,
  configure(command) {
    command.requiredOption("-n, --name <name>", "name of the resource group");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const subscription = await api.subscriptionId();
    await api.get(resourceGroupPath(subscription, args.name)); // not found: nothing walked
    for (const kind of ["vm", "vmss"] as const) {
      const machines = await api.list<{ name: string }>(machinesPath(kind, subscription, args.name));
      for (const machine of machines) {
        if (!ctx.globals.onlyShowErrors) ctx.stderr.write(`Deleting ${kind} ${machine.name}...\n`);
        await api.delete(machinePath(kind, subscription, args.name, machine.name));
      }
    }
    await api.delete(resourceGroupPath(subscription, args.name));
    return undefined;
  },
};
