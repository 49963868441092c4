import { identityRemoveCommand } from "../../../lib/machine-commands.ts";

export const vmIdentityRemoveCommand = identityRemoveCommand("vm");
