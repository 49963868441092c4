import type { CliCommand } from "../../../../command.ts";
import { findGroup } from "../../../../lib/directory.ts";
import { openApi } from "../../../../session/api.ts";

export const adGroupMemberListCommand: CliCommand<{ group: string }> = {
  path: ["ad", "group", "member", "list"],
  summary: "List a group's direct members.",
  examples: [
    { summary: "Members as a table.", command: "hostpass ad group member list -g 'Linux Admins' -o table" },
  ],
  configure(command) {
    command.requiredOption("-g, --group <name-or-id>", "the group");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.list(`/directory/groups/${(await findGroup(api, args.group)).id}/members`);
  },
};
