import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { openApi } from "../../session/api.ts";
import { type IdpOptions, idpBody, idpOptions } from "./settings.ts";

/** `hostpass idp update --name N [settings]`: change what was given, keep the rest. */
export const idpUpdateCommand: CliCommand<
  IdpOptions & { name: string; newName?: string; rotateSigningKey?: boolean }
> = {
  path: ["idp", "update"],
  summary: "Change an upstream provider's settings (only the options given).",
  examples: [
    { summary: "Trust the provider's MFA.", command: "hostpass idp update --name contoso --trust-mfa true" },
    { summary: "Stop offering it.", command: "hostpass idp update --name contoso --enabled false" },
    {
      summary: "Authenticate with a key hostpass makes (register the printed JWKS URI at the provider).",
      command:
        "hostpass idp update --name contoso --client-auth-method private_key_jwt --query jwksUri -o tsv",
    },
  ],
  configure(command) {
    idpOptions(
      command
        .requiredOption("--name <name>", "the provider")
        .option("--new-name <name>", "rename it")
        .option(
          "--rotate-signing-key",
          "private_key_jwt: a new key replaces the old one (the provider must fetch or be given it again)",
        ),
    );
  },
  async run(ctx, args) {
    const { name, newName, rotateSigningKey, ...rest } = args;
    const body = {
      ...(await idpBody({ ...rest, ...(newName === undefined ? {} : { name: newName }) })),
      ...(rotateSigningKey ? { rotateSigningKey: true } : {}),
    };
    if (Object.keys(body).length === 0) throw new CliUsageError("give at least one setting to change");
    const api = await openApi(ctx);
    return api.patch(`/directory/identityProviders/${encodeURIComponent(name)}`, body);
  },
};
