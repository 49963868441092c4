import { caListCommand } from "../../../lib/conditional-access.ts";

export const conditionalAccessNamedLocationListCommand = caListCommand("named-location");
