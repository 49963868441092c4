/** Options many commands share, declared once so their names and help read the same everywhere. */
import { type Command, Option } from "commander";

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
