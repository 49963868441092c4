import type { CliCommand } from "../../../../command.ts";
import { findGroup, memberId } from "../../../../lib/directory.ts";
import { openApi } from "../../../../session/api.ts";

export const adGroupMemberAddCommand: CliCommand<{ group: string; memberId: string }> = {
  path: ["ad", "group", "member", "add"],
  summary: "Add a member (user, group, service principal) to a group.",
  examples: [
    {
      summary: "Put a user in a group.",
      command: "hostpass ad group member add -g 'Linux Admins' --member-id alice@contoso.example",
    },
  ],
  configure(command) {
    command
      .requiredOption("-g, --group <name-or-id>", "the group")
      .requiredOption("--member-id <upn-or-object-id>", "the member: a user's UPN or any object id");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const group = await findGroup(api, args.group);
    const member = await memberId(api, args.memberId);
    await api.post(`/directory/groups/${group.id}/members`, { memberId: member });
    return undefined;
  },
};
