import { extensionSetCommand } from "../../../lib/machine-commands.ts";

export const vmExtensionSetCommand = extensionSetCommand("vm");
