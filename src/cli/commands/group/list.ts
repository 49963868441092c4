import type { CliCommand } from "../../command.ts";
import { subscriptionPath } from "../../lib/resource-paths.ts";
import { openApi } from "../../session/api.ts";

export const groupListCommand: CliCommand = {
  path: ["group", "list"],
  summary: "List the resource groups of the subscription.",
  examples: [{ summary: "List resource groups as a table.", command: "hostpass group list -o table" }],
  configure() {},
  async run(ctx) {
    const api = await openApi(ctx);
    return api.list(`${subscriptionPath(await api.subscriptionId())}/resourceGroups`);
  },
};
