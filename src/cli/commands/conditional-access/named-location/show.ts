import { caShowCommand } from "../../../lib/conditional-access.ts";

export const conditionalAccessNamedLocationShowCommand = caShowCommand("named-location");
