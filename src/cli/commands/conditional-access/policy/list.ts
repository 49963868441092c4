import { caListCommand } from "../../../lib/conditional-access.ts";

export const conditionalAccessPolicyListCommand = caListCommand("policy");
