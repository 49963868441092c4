import { identityAssignCommand } from "../../../lib/machine-commands.ts";

export const vmIdentityAssignCommand = identityAssignCommand("vm");
