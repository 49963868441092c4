import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

export const adGroupCreateCommand: CliCommand<{
  displayName: string;
  mailNickname?: string;
  description?: string;
}> = {
  path: ["ad", "group", "create"],
  summary: "Create a group (groups nest; role assignments to a group reach its members).",
  examples: [
    {
      summary: "A group for Linux administrators.",
      command: "hostpass ad group create --display-name 'Linux Admins' --mail-nickname linux-admins",
    },
  ],
  configure(command) {
    command
      .requiredOption("--display-name <name>", "display name")
      .option("--mail-nickname <name>", "accepted for az compatibility (hostpass keeps no mail)")
      .option("--description <text>", "description");
  },
  async run(ctx, args) {
    return (await openApi(ctx)).post("/directory/groups", {
      displayName: args.displayName,
      ...(args.description ? { description: args.description } : {}),
    });
  },
};
