import type { CliCommand } from "../../../command.ts";
import { putDocument } from "../../../lib/conditional-access.ts";

export const conditionalAccessNamedLocationCreateCommand: CliCommand<{
  id: string;
  displayName: string;
  ipRanges: string[];
  trusted?: boolean;
}> = {
  path: ["conditional-access", "named-location", "create"],
  summary: "Create or replace a named location: IPv4/IPv6 ranges that policies include or exclude.",
  examples: [
    {
      summary: "The office network, trusted.",
      command:
        "hostpass conditional-access named-location create --id office --display-name Office --ip-ranges 192.0.2.0/24 2001:db8::/32 --trusted",
    },
  ],
  configure(command) {
    command
      .requiredOption("--id <id>", "the location's id (what policies name)")
      .requiredOption("--display-name <name>", "display name")
      .requiredOption("--ip-ranges <cidr...>", "CIDR ranges")
      .option("--trusted", "mark the location trusted");
  },
  async run(ctx, args) {
    return putDocument(ctx, "named-location", args.id, {
      name: args.displayName,
      cidrs: args.ipRanges,
      trusted: args.trusted === true,
    });
  },
};
