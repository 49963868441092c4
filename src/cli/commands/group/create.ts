import type { CliCommand } from "../../command.ts";
import { tagsOption } from "../../lib/options.ts";
import { parseTags } from "../../lib/parse.ts";
import { resourceGroupPath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const groupCreateCommand: CliCommand<{ name: string; location: string; tags?: string[] }> = {
  path: ["group", "create"],
  summary: "Create a resource group.",
  examples: [
    {
      summary: "Create the seed's resource group.",
      command: "hostpass group create --name LinuxVMs --location local",
    },
  ],
  configure(command) {
    command
      .requiredOption("-n, --name <name>", "name of the resource group")
      .requiredOption("-l, --location <location>", "location (e.g. local)");
    tagsOption(command);
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const path = resourceGroupPath(await api.subscriptionId(), args.name);
    return api.put(path, { location: args.location, tags: parseTags(args.tags) });
  },
};
