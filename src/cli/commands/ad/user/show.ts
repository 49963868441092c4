import type { CliCommand } from "../../../command.ts";
import { findUser } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adUserShowCommand: CliCommand<{ id: string }> = {
  path: ["ad", "user", "show"],
  summary: "Show a user by object id or UPN.",
  examples: [{ summary: "Show a user.", command: "hostpass ad user show --id alice@contoso.example" }],
  configure(command) {
    command.requiredOption("--id <upn-or-object-id>", "the user");
  },
  async run(ctx, args) {
    return findUser(await openApi(ctx), args.id);
  },
};
