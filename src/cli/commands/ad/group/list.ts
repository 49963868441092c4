import type { CliCommand } from "../../../command.ts";
import type { GroupDto } from "../../../lib/directory.ts";
import { openApi } from "../../../session/api.ts";

export const adGroupListCommand: CliCommand<{ displayName?: string }> = {
  path: ["ad", "group", "list"],
  summary: "List groups, optionally those whose display name starts with a text.",
  examples: [{ summary: "Groups as a table.", command: "hostpass ad group list -o table" }],
  configure(command) {
    command.option("--display-name <name>", "only groups whose display name starts with this");
  },
  async run(ctx, args) {
    const name = args.displayName?.toLowerCase();
    const groups = await (await openApi(ctx)).list<GroupDto>("/directory/groups");
    return groups.filter((g) => name === undefined || g.displayName.toLowerCase().startsWith(name));
  },
};
