import { identityRemoveCommand } from "../../../lib/machine-commands.ts";

export const vmssIdentityRemoveCommand = identityRemoveCommand("vmss");
