import { extensionListCommand } from "../../../lib/machine-commands.ts";

export const vmssExtensionListCommand = extensionListCommand("vmss");
