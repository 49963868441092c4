import { caDeleteCommand } from "../../../lib/conditional-access.ts";

export const conditionalAccessNamedLocationDeleteCommand = caDeleteCommand("named-location");
