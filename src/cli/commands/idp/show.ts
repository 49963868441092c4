import type { CliCommand } from "../../command.ts";
import { openApi } from "../../session/api.ts";

export const idpShowCommand: CliCommand<{ name: string }> = {
  path: ["idp", "show"],
  summary:
    "Show an upstream provider (never its secret) and what to register there: the redirect URI, and with private_key_jwt the JWKS URI.",
  examples: [
    {
      summary: "The redirect URI to register at the provider.",
      command: "hostpass idp show --name contoso --query redirectUri -o tsv",
    },
    {
      summary: "With private_key_jwt: the public key set's URL (or the key itself, signingKey.publicJwk).",
      command: "hostpass idp show --name contoso --query jwksUri -o tsv",
    },
  ],
  configure(command) {
    command.requiredOption("--name <name>", "the provider (name or id)");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.get(`/directory/identityProviders/${encodeURIComponent(args.name)}`);
  },
};
