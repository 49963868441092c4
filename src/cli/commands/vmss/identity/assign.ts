import { identityAssignCommand } from "../../../lib/machine-commands.ts";

export const vmssIdentityAssignCommand = identityAssignCommand("vmss");
