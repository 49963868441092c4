import type { CliCommand } from "../../command.ts";
import { builtInExtension } from "./add.ts";

export const extensionShowCommand: CliCommand<{ name: string }> = {
  path: ["extension", "show"],
  summary: "Show a built-in command extension (ssh) and its version (hostpass's).",
  examples: [
    {
      summary: "The seed's version check.",
      command: "hostpass extension show --name ssh --query version -o tsv",
    },
  ],
  configure(command) {
    command.requiredOption("-n, --name <name>", "extension name (ssh)");
  },
  async run(_ctx, args) {
    return builtInExtension(args.name);
  },
};
