import { caShowCommand } from "../../../lib/conditional-access.ts";

export const conditionalAccessPolicyShowCommand = caShowCommand("policy");
