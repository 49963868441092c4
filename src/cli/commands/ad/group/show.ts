import type { CliCommand } from "../../../command.ts";
import { findGroup } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adGroupShowCommand: CliCommand<{ group: string }> = {
  path: ["ad", "group", "show"],
  summary: "Show a group by object id or display name.",
  examples: [
    {
      summary: "A group's object id.",
      command: "hostpass ad group show -g 'Linux Admins' --query id -o tsv",
    },
  ],
  configure(command) {
    command.requiredOption("-g, --group <name-or-id>", "the group");
  },
  async run(ctx, args) {
    return findGroup(await openApi(ctx), args.group);
  },
};
