import { identityShowCommand } from "../../../lib/machine-commands.ts";

export const vmIdentityShowCommand = identityShowCommand("vm");
