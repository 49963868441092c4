import { extensionShowCommand } from "../../../lib/machine-commands.ts";

export const vmExtensionShowCommand = extensionShowCommand("vm");
