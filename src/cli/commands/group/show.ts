import type { CliCommand } from "../../command.ts";
import { resourceGroupPath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const groupShowCommand: CliCommand<{ name: string }> = {
  path: ["group", "show"],
  summary: "Show a resource group.",
  examples: [
    { summary: "Show a resource group.", command: "hostpass group show -n LinuxVMs" },
    {
      summary: "Its id, for a role assignment's --scope.",
      command: "hostpass group show -n LinuxVMs --query id -o tsv",
    },
  ],
  configure(command) {
    command.requiredOption("-n, --name <name>", "name of the resource group");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.get(resourceGroupPath(await api.subscriptionId(), args.name));
  },
};
