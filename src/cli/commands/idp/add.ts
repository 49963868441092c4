import type { CliCommand } from "../../command.ts";
import { openApi } from "../../session/api.ts";
import { type IdpOptions, idpBody, idpOptions } from "./settings.ts";

/** `hostpass idp add`: register the organisation's OpenID Connect provider for sign-in. */
export const idpAddCommand: CliCommand<IdpOptions & { name: string }> = {
  path: ["idp", "add"],
  summary: "Register an upstream OpenID Connect provider; its users sign in through it.",
  examples: [
    {
      summary: "Connect Contoso's provider; users are created at their first sign-in with their groups.",
      command:
        "hostpass idp add --name contoso --issuer https://login.contoso.example --client-id hostpass --client-secret '<secret>' --jit true --groups-claim groups --scopes 'openid profile email groups'",
    },
  ],
  configure(command) {
    idpOptions(command.requiredOption("--name <name>", "short name (a-z, 0-9, -)"));
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.post("/directory/identityProviders", await idpBody(args));
  },
};
