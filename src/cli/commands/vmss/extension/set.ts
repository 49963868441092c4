import { extensionSetCommand } from "../../../lib/machine-commands.ts";

export const vmssExtensionSetCommand = extensionSetCommand("vmss");
