import type { CliCommand } from "../../../command.ts";
import { findGroup } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adGroupDeleteCommand: CliCommand<{ group: string }> = {
  path: ["ad", "group", "delete"],
  summary: "Delete a group (its members lose what was assigned to it).",
  examples: [{ summary: "Delete a group.", command: "hostpass ad group delete -g 'Linux Admins'" }],
  confirmation: true,
  configure(command) {
    command.requiredOption("-g, --group <name-or-id>", "the group");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    await api.delete(`/directory/groups/${(await findGroup(api, args.group)).id}`);
    return undefined;
  },
};
