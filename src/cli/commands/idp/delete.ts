import type { CliCommand } from "../../command.ts";
import { openApi } from "../../session/api.ts";

export const idpDeleteCommand: CliCommand<{ name: string }> = {
  path: ["idp", "delete"],
  summary: "Remove an upstream provider: nobody signs in through it any more (its users and groups stay).",
  examples: [{ summary: "Disconnect Contoso's provider.", command: "hostpass idp delete --name contoso" }],
  confirmation: true,
  configure(command) {
    command.requiredOption("--name <name>", "the provider (name or id)");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    await api.delete(`/directory/identityProviders/${encodeURIComponent(args.name)}`);
    return undefined;
  },
};
