import type { CliCommand } from "../../../command.ts";
import { findServicePrincipal } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adSpDeleteCommand: CliCommand<{ id: string }> = {
  path: ["ad", "sp", "delete"],
  summary: "Delete a service principal.",
  examples: [{ summary: "Delete a service principal.", command: "hostpass ad sp delete --id <app-id>" }],
  confirmation: true,
  configure(command) {
    command.requiredOption("--id <app-or-object-id>", "the service principal");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    await api.delete(`/directory/servicePrincipals/${(await findServicePrincipal(api, args.id)).id}`);
    return undefined;
  },
};
