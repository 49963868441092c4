import type { CliCommand } from "../../../command.ts";
import { findServicePrincipal } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adSpShowCommand: CliCommand<{ id: string }> = {
  path: ["ad", "sp", "show"],
  summary: "Show a service principal by object id or app id.",
  examples: [
    {
      summary: "The object id of a service principal (seed: --assignee-object-id).",
      command: "hostpass ad sp show --id <app-id> --query id -o tsv",
    },
  ],
  configure(command) {
    command.requiredOption("--id <app-or-object-id>", "the service principal");
  },
  async run(ctx, args) {
    return findServicePrincipal(await openApi(ctx), args.id);
  },
};
