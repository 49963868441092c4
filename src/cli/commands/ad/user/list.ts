import type { CliCommand } from "../../../command.ts";
import type { UserDto } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adUserListCommand: CliCommand<{ upn?: string; displayName?: string }> = {
  path: ["ad", "user", "list"],
  summary: "List users, optionally by UPN or display name.",
  examples: [
    { summary: "Every user as a table.", command: "hostpass ad user list -o table" },
    {
      summary: "The object id of a user (seed: for --assignee-object-id).",
      command: "hostpass ad user list --upn alice@contoso.example --query '[0].id' -o tsv",
    },
  ],
  configure(command) {
    command
      .option("--upn <upn>", "only the user with this UPN (case-insensitive)")
      .option("--display-name <name>", "only users whose display name starts with this");
  },
  async run(ctx, args) {
    const users = await (await openApi(ctx)).list<UserDto>("/directory/users");
    const upn = args.upn?.toLowerCase();
    const name = args.displayName?.toLowerCase();
    return users.filter(
      (u) =>
        (upn === undefined || u.userPrincipalName.toLowerCase() === upn) &&
        (name === undefined || u.displayName.toLowerCase().startsWith(name)),
    );
  },
};
