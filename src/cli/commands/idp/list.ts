import type { CliCommand } from "../../command.ts";
import { openApi } from "../../session/api.ts";

export const idpListCommand: CliCommand<Record<string, never>> = {
  path: ["idp", "list"],
  summary: "List the upstream OpenID Connect providers.",
  examples: [
    { summary: "Names and issuers.", command: "hostpass idp list --query '[].[name, issuer]' -o tsv" },
  ],
  configure() {},
  async run(ctx) {
    const api = await openApi(ctx);
    return api.list("/directory/identityProviders");
  },
};
