/** Options many commands share, declared once so their names and help read the same everywhere. */
import { type Command, Option } from "commander";
import type { CliCommand } from "../command.ts";

/** A command's own options, and `-y/--yes` where it asks for confirmation (CliCommand.confirmation). */
export function configureCommand(
  command: Command,
  cli: Pick<CliCommand<never>, "configure" | "confirmation">,
): void {
  cli.configure(command);
  if (cli.confirmation) yesOption(command);
}

export function resourceGroupOption(command: Command): Command {
  return command.requiredOption("-g, --resource-group <name>", "name of the resource group");
}

export function yesOption(command: Command): Command {
  return command.option("-y, --yes", "do not prompt for confirmation");
}

/** `--tags a=b c=d` as az takes them: space-separated `key[=value]` pairs. */
export function tagsOption(command: Command): Command {
  return command.addOption(
    new Option("--tags <key=value...>", "space-separated tags: key[=value] ... ('' clears)"),
  );
}
