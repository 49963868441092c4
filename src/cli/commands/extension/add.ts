/** `hostpass extension add|show --name ssh`: the seed installs az's ssh extension; hostpass has it built in. */
import type { CliCommand } from "../../command.ts";
import { NoMatchError } from "../../errors.ts";
import { VERSION } from "../../version.ts";

export const BUILT_IN = ["ssh"] as const;

export function builtInExtension(name: string): { name: string; version: string; builtIn: true } {
  if (!(BUILT_IN as readonly string[]).includes(name))
    throw new NoMatchError(
      `The extension ${JSON.stringify(name)} does not exist: hostpass's commands are built in.`,
    );
  return { name, version: VERSION, builtIn: true };
}

export const extensionAddCommand: CliCommand<{ name: string }> = {
  path: ["extension", "add"],
  summary: "Accepted for az compatibility: the ssh commands are built into hostpass.",
  examples: [
    { summary: "The seed's step; nothing to install.", command: "hostpass extension add --name ssh" },
  ],
  configure(command) {
    command.requiredOption("-n, --name <name>", "extension name (ssh)");
  },
  async run(ctx, args) {
    const extension = builtInExtension(args.name);
    if (!ctx.globals.onlyShowErrors)
      ctx.stderr.write(`The ${args.name} commands are built into hostpass; nothing to install.\n`);
    return extension;
  },
};
