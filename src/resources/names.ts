/**
 * Name rules per kind of resource. Documented limits (ASCII only; Azure's own rules, minus the
 * Unicode letters Azure allows in a few places, which we refuse to keep names shell- and
 * path-safe):
 *
 * | kind                 | length | characters            | also                                   |
 * |----------------------|--------|-----------------------|----------------------------------------|
 * | management group     | 1-90   | `A-Z a-z 0-9 . _ ( ) -` | not ending in `.`                     |
 * | subscription         | 36     | a UUID                | compared and stored lower case         |
 * | resource group       | 1-90   | `A-Z a-z 0-9 . _ ( ) -` | not ending in `.`                     |
 * | virtual machine      | 1-64   | `A-Z a-z 0-9 . _ -`   | starts with a letter or digit, ends with a letter, digit or `_` |
 * | scale set            | 1-64   | as virtual machine    |                                        |
 * | scale-set instance   | 1-10   | decimal digits        | no leading zeros                       |
 *
 * Names compare case-insensitively (like Azure) but keep the case they were created with.
 */
import { InvalidResourceIdError } from "./errors.ts";

export const NAME_KINDS = [
  "managementGroup",
  "subscription",
  "resourceGroup",
  "virtualMachine",
  "virtualMachineScaleSet",
  "instanceId",
] as const;
export type NameKind = (typeof NAME_KINDS)[number];

interface NameRule {
  readonly label: string;
  readonly max: number;
  readonly pattern: RegExp;
  readonly explain: string;
}

const GROUPISH = /^[A-Za-z0-9._()-]*[A-Za-z0-9_()-]$/;
const MACHINE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;

export const NAME_RULES: Readonly<Record<NameKind, NameRule>> = Object.freeze({
  managementGroup: {
    label: "management group id",
    max: 90,
    pattern: GROUPISH,
    explain: "letters, digits, '.', '_', '(', ')' and '-', not ending in '.'",
  },
  subscription: {
    label: "subscription id",
    max: 36,
    pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    explain: "a UUID",
  },
  resourceGroup: {
    label: "resource group name",
    max: 90,
    pattern: GROUPISH,
    explain: "letters, digits, '.', '_', '(', ')' and '-', not ending in '.'",
  },
  virtualMachine: {
    label: "virtual machine name",
    max: 64,
    pattern: MACHINE,
    explain:
      "letters, digits, '.', '_' and '-', starting with a letter or digit and not ending in '.' or '-'",
  },
  virtualMachineScaleSet: {
    label: "scale set name",
    max: 64,
    pattern: MACHINE,
    explain:
      "letters, digits, '.', '_' and '-', starting with a letter or digit and not ending in '.' or '-'",
  },
  instanceId: { label: "instance id", max: 10, pattern: /^(?:0|[1-9][0-9]*)$/, explain: "a decimal number" },
});

/** Returns `name` if it obeys the rule for `kind`, else throws InvalidResourceIdError. */
export function checkName(kind: NameKind, name: unknown): string {
  const rule = NAME_RULES[kind];
  if (typeof name !== "string" || name.length === 0)
    throw new InvalidResourceIdError(`${rule.label} is empty`);
  // Length first: never run a pattern over a 4 KB string, and never echo one back.
  if (name.length > rule.max) {
    throw new InvalidResourceIdError(`${rule.label} is longer than ${rule.max} characters`);
  }
  if (!rule.pattern.test(name)) {
    throw new InvalidResourceIdError(
      `${rule.label} ${JSON.stringify(name)} is not valid: use ${rule.explain}`,
    );
  }
  return kind === "subscription" ? name.toLowerCase() : name;
}
