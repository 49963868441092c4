import { identityShowCommand } from "../../../lib/machine-commands.ts";

export const vmssIdentityShowCommand = identityShowCommand("vmss");
