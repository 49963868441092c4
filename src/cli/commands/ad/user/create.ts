import type { CliCommand } from "../../../command.ts";
import { parseBoolean } from "../../../lib/parse.ts";
import { openApi } from "../../../session/api.ts";

interface Args {
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly password?: string;
  readonly accountEnabled?: string;
  readonly linuxName?: string;
}

export const adUserCreateCommand: CliCommand<Args> = {
  path: ["ad", "user", "create"],
  summary: "Create a user.",
  examples: [
    {
      summary: "Create a user who signs in with a password.",
      command:
        "hostpass ad user create --display-name 'Alice' --user-principal-name alice@contoso.example --password '<password>'",
    },
  ],
  configure(command) {
    command
      .requiredOption("--display-name <name>", "display name")
      .requiredOption("--user-principal-name <upn>", "sign-in name, e.g. alice@contoso.example")
      .option("--password <password>", "initial password (or the user has none: passkeys, federation)")
      .option("--account-enabled <true|false>", "whether the user can sign in", "true")
      .option("--linux-name <name>", "Linux account name (default: from the UPN)");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.post("/directory/users", {
      userPrincipalName: args.userPrincipalName,
      displayName: args.displayName,
      ...(args.password ? { password: args.password } : {}),
      accountEnabled: parseBoolean("--account-enabled", args.accountEnabled ?? "true"),
      ...(args.linuxName ? { linuxName: args.linuxName } : {}),
    });
  },
};
