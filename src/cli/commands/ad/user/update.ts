import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { findUser } from "../../../lib/directory.ts";
import { parseBoolean } from "../../../lib/parse.ts";
import { openApi } from "../../../session/api.ts";

export const adUserUpdateCommand: CliCommand<{ id: string; accountEnabled?: string; password?: string }> = {
  path: ["ad", "user", "update"],
  summary: "Enable or disable a user, or set a new password. A disabled user's sign-ins and new logins stop.",
  examples: [
    {
      summary: "Disable a user.",
      command: "hostpass ad user update --id alice@contoso.example --account-enabled false",
    },
    {
      summary: "Set a new password.",
      command: "hostpass ad user update --id alice@contoso.example --password '<new password>'",
    },
  ],
  configure(command) {
    command
      .requiredOption("--id <upn-or-object-id>", "the user")
      .option("--account-enabled <true|false>", "whether the user can sign in")
      .option("--password <password>", "a new password");
  },
  async run(ctx, args) {
    if (args.accountEnabled === undefined && args.password === undefined)
      throw new CliUsageError("give --account-enabled and/or --password");
    const enabled =
      args.accountEnabled === undefined ? undefined : parseBoolean("--account-enabled", args.accountEnabled);
    const api = await openApi(ctx);
    const user = await findUser(api, args.id);
    await api.patch(`/directory/users/${user.id}`, {
      ...(enabled === undefined ? {} : { accountEnabled: enabled }),
      ...(args.password === undefined ? {} : { password: args.password }),
    });
    return undefined;
  },
};
