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
    {
      summary: "Its web redirect URIs (set with `ad sp update --web-redirect-uris`).",
      command: "hostpass ad sp show --id <app-id> --query web.redirectUris",
    },
  ],
  configure(command) {
    command.requiredOption("--id <app-or-object-id>", "the service principal");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const sp = await findServicePrincipal(api, args.id);
    // As az's application object shows them (`web.redirectUris`; `ad sp update` sets them).
    const { redirectUris } = (await api.get(`/directory/servicePrincipals/${sp.id}/redirectUris`)) as {
      redirectUris: string[];
    };
    return { ...sp, web: { redirectUris } };
  },
};
