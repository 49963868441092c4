import { extensionDeleteCommand } from "../../../lib/machine-commands.ts";

export const vmssExtensionDeleteCommand = extensionDeleteCommand("vmss");
