import { caDeleteCommand } from "../../../lib/conditional-access.ts";

export const conditionalAccessPolicyDeleteCommand = caDeleteCommand("policy");
