import { extensionListCommand } from "../../../lib/machine-commands.ts";

export const vmExtensionListCommand = extensionListCommand("vm");
