import type { CliCommand } from "../../../command.ts";
import { findUser } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adUserDeleteCommand: CliCommand<{ id: string }> = {
  path: ["ad", "user", "delete"],
  summary: "Delete a user (its uid is never handed out again).",
  examples: [{ summary: "Delete a user.", command: "hostpass ad user delete --id alice@contoso.example" }],
  confirmation: true,
  configure(command) {
    command.requiredOption("--id <upn-or-object-id>", "the user");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    await api.delete(`/directory/users/${(await findUser(api, args.id)).id}`);
    return undefined;
  },
};
