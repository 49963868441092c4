import type { CliCommand } from "../../../command.ts";
import type { ServicePrincipalDto } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adSpListCommand: CliCommand<{ displayName?: string }> = {
  path: ["ad", "sp", "list"],
  summary: "List service principals, optionally by display name.",
  examples: [
    {
      summary: "App ids and names.",
      command: "hostpass ad sp list --query '[].[appId, displayName]' -o tsv",
    },
  ],
  configure(command) {
    command.option("--display-name <name>", "only those whose display name starts with this");
  },
  async run(ctx, args) {
    const name = args.displayName?.toLowerCase();
    const sps = await (await openApi(ctx)).list<ServicePrincipalDto>("/directory/servicePrincipals");
    return sps.filter((sp) => name === undefined || sp.displayName.toLowerCase().startsWith(name));
  },
};
