import { extensionDeleteCommand } from "../../../lib/machine-commands.ts";

export const vmExtensionDeleteCommand = extensionDeleteCommand("vm");
