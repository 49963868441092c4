import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { findServicePrincipal } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

/**
 * `az ad app update --web-redirect-uris`: the redirect URIs that make an app a web sign-in client
 * of hostpass (e.g. another hostpass federating to this one). `show` prints them.
 */
export const adSpUpdateCommand: CliCommand<{ id: string; webRedirectUris?: string[] | true }> = {
  path: ["ad", "sp", "update"],
  summary: "Change a service principal: its web redirect URIs (a sign-in client of hostpass).",
  examples: [
    {
      summary:
        "Let another hostpass sign its users in through this one (its `idp show --query redirectUri`).",
      command:
        "hostpass ad sp update --id <app-id> --web-redirect-uris https://other.example/portal/signin/federated/<id>/callback",
    },
    {
      summary: "No redirect URIs: a client-credentials-only app again.",
      command: "hostpass ad sp update --id <app-id> --web-redirect-uris",
    },
  ],
  configure(command) {
    command
      .requiredOption("--id <app-or-object-id>", "the service principal")
      .option(
        "--web-redirect-uris [uri...]",
        "every redirect URI (https; http only on loopback; at most 10); none given: remove them all",
      );
  },
  async run(ctx, args) {
    if (args.webRedirectUris === undefined)
      throw new CliUsageError("nothing to change: give --web-redirect-uris");
    const redirectUris = args.webRedirectUris === true ? [] : args.webRedirectUris;
    const api = await openApi(ctx);
    const sp = await findServicePrincipal(api, args.id);
    const set = (await api.put(`/directory/servicePrincipals/${sp.id}/redirectUris`, { redirectUris })) as {
      redirectUris: string[];
    };
    return { ...sp, web: { redirectUris: set.redirectUris } };
  },
};
