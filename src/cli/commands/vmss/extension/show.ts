import { extensionShowCommand } from "../../../lib/machine-commands.ts";

export const vmssExtensionShowCommand = extensionShowCommand("vmss");
