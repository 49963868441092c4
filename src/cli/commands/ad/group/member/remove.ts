import type { CliCommand } from "../../../../command.ts";
import { findGroup, memberId } from "../../../../lib/directory.ts";
import { openApi } from "../../../../session/api.ts";

export const adGroupMemberRemoveCommand: CliCommand<{ group: string; memberId: string }> = {
  path: ["ad", "group", "member", "remove"],
  summary: "Remove a member from a group.",
  examples: [
    {
      summary: "Take a user out of a group.",
      command: "hostpass ad group member remove -g 'Linux Admins' --member-id alice@contoso.example",
    },
  ],
  confirmation: true,
  configure(command) {
    command
      .requiredOption("-g, --group <name-or-id>", "the group")
      .requiredOption("--member-id <upn-or-object-id>", "the member: a user's UPN or any object id");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const group = await findGroup(api, args.group);
    const member = await memberId(api, args.memberId);
    await api.delete(`/directory/groups/${group.id}/members/${member}`);
    return undefined;
  },
};
