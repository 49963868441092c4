import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { openApi } from "../../session/api.ts";
import { type IdpOptions, idpBody, idpOptions } from "./settings.ts";

/** `hostpass idp update --name N [settings]`: change what was given, keep the rest. */
export const idpUpdateCommand: CliCommand<IdpOptions & { name: string; newName?: string }> = {
  path: ["idp", "update"],
  summary: "Change an upstream provider's settings (only the options given).",
  examples: [
    { summary: "Trust the provider's MFA.", command: "hostpass idp update --name contoso --trust-mfa true" },
    { summary: "Stop offering it.", command: "hostpass idp update --name contoso --enabled false" },
  ],
  configure(command) {
    idpOptions(
      command.requiredOption("--name <name>", "the provider").option("--new-name <name>", "rename it"),
    );
  },
  async run(ctx, args) {
    const { name, newName, ...rest } = args;
    const body = await idpBody({ ...rest, ...(newName === undefined ? {} : { name: newName }) });
    if (Object.keys(body).length === 0) throw new CliUsageError("give at least one setting to change");
    const api = await openApi(ctx);
    return api.patch(`/directory/identityProviders/${encodeURIComponent(name)}`, body);
  },
};
