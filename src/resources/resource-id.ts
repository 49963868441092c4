/**
 * Resource ids and scope strings, exactly as PRODUCT.md §1:
 *
 *   /providers/Management/managementGroups/<mg>
 *   /subscriptions/<uuid>
 *   /subscriptions/<uuid>/resourceGroups/<rg>
 *   /subscriptions/<uuid>/resourceGroups/<rg>/providers/Compute/virtualMachines/<vm>
 *   /subscriptions/<uuid>/resourceGroups/<rg>/providers/Compute/virtualMachineScaleSets/<vmss>
 *   /subscriptions/<uuid>/resourceGroups/<rg>/providers/Compute/virtualMachineScaleSets/<vmss>/virtualMachines/<n>
 *
 * Parsing is strict: keywords match case-insensitively (`Microsoft.Compute` and
 * `Microsoft.Management` are accepted as aliases) and come out in canonical spelling; names keep
 * their case and compare case-insensitively through `key`. Anything outside the id alphabet is
 * refused before it is looked at: percent-encoding (`%2e%2e`, `%2f`), NUL and control characters,
 * spaces, backslashes, non-ASCII. Empty segments, `.` and `..` segments and trailing slashes are
 * refused too, so a parsed id never needs decoding and never climbs.
 */
import { InvalidResourceIdError } from "./errors.ts";
import { checkName } from "./names.ts";

export const RESOURCE_KINDS = [
  "managementGroup",
  "subscription",
  "resourceGroup",
  "virtualMachine",
  "virtualMachineScaleSet",
  "virtualMachineScaleSetVm",
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Longest id we accept; the longest valid id is about 350 characters. */
export const MAX_RESOURCE_ID_LENGTH = 512;

export interface ResourceId {
  readonly kind: ResourceKind;
  /** Canonical: keywords in canonical spelling, names as written, subscription id lower case. */
  readonly id: string;
  /** `id` in lower case: equal keys mean the same resource. */
  readonly key: string;
  /** The last name in the id (the resource's own name). */
  readonly name: string;
  readonly managementGroup?: string;
  readonly subscriptionId?: string;
  readonly resourceGroup?: string;
  readonly scaleSet?: string;
  readonly instanceId?: string;
  /** The id this one sits in syntactically (a subscription's management group is not in its id). */
  readonly parent: ResourceId | undefined;
}

function make(
  kind: ResourceKind,
  id: string,
  name: string,
  parent: ResourceId | undefined,
  extra: object,
): ResourceId {
  return Object.freeze({ kind, id, key: id.toLowerCase(), name, parent, ...extra });
}

export function managementGroupId(name: string): ResourceId {
  const mg = checkName("managementGroup", name);
  return make("managementGroup", `/providers/Management/managementGroups/${mg}`, mg, undefined, {
    managementGroup: mg,
  });
}

export function subscriptionResourceId(subscriptionId: string): ResourceId {
  const sub = checkName("subscription", subscriptionId);
  return make("subscription", `/subscriptions/${sub}`, sub, undefined, { subscriptionId: sub });
}

export function resourceGroupId(subscriptionId: string, name: string): ResourceId {
  const parent = subscriptionResourceId(subscriptionId);
  const rg = checkName("resourceGroup", name);
  return make("resourceGroup", `${parent.id}/resourceGroups/${rg}`, rg, parent, {
    subscriptionId: parent.subscriptionId,
    resourceGroup: rg,
  });
}

export function virtualMachineId(subscriptionId: string, group: string, name: string): ResourceId {
  const parent = resourceGroupId(subscriptionId, group);
  const vm = checkName("virtualMachine", name);
  return make("virtualMachine", `${parent.id}/providers/Compute/virtualMachines/${vm}`, vm, parent, {
    subscriptionId: parent.subscriptionId,
    resourceGroup: parent.resourceGroup,
  });
}

export function scaleSetId(subscriptionId: string, group: string, name: string): ResourceId {
  const parent = resourceGroupId(subscriptionId, group);
  const vmss = checkName("virtualMachineScaleSet", name);
  return make(
    "virtualMachineScaleSet",
    `${parent.id}/providers/Compute/virtualMachineScaleSets/${vmss}`,
    vmss,
    parent,
    {
      subscriptionId: parent.subscriptionId,
      resourceGroup: parent.resourceGroup,
      scaleSet: vmss,
    },
  );
}

export function scaleSetInstanceId(
  subscriptionId: string,
  group: string,
  set: string,
  instanceId: string,
): ResourceId {
  const parent = scaleSetId(subscriptionId, group, set);
  const n = checkName("instanceId", instanceId);
  return make("virtualMachineScaleSetVm", `${parent.id}/virtualMachines/${n}`, n, parent, {
    subscriptionId: parent.subscriptionId,
    resourceGroup: parent.resourceGroup,
    scaleSet: parent.scaleSet,
    instanceId: n,
  });
}

const ID_ALPHABET = /^[A-Za-z0-9._()/-]+$/;

function keyword(segment: string | undefined, ...accepted: string[]): boolean {
  return segment !== undefined && accepted.some((k) => k.toLowerCase() === segment.toLowerCase());
}

/** Parses a resource id or scope string; throws InvalidResourceIdError with the reason. */
export function parseResourceId(input: unknown): ResourceId {
  if (typeof input !== "string" || input.length === 0)
    throw new InvalidResourceIdError("resource id is empty");
  if (input.length > MAX_RESOURCE_ID_LENGTH) {
    throw new InvalidResourceIdError(`resource id is longer than ${MAX_RESOURCE_ID_LENGTH} characters`);
  }
  if (input.includes("%")) throw new InvalidResourceIdError("resource id may not contain percent-encoding");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(input)) {
    throw new InvalidResourceIdError("resource id may not contain control characters");
  }
  if (!ID_ALPHABET.test(input)) {
    throw new InvalidResourceIdError("resource id may only contain letters, digits and . _ ( ) - /");
  }
  if (!input.startsWith("/")) throw new InvalidResourceIdError("resource id must start with '/'");
  const s = input.slice(1).split("/");
  if (s.some((x) => x === ""))
    throw new InvalidResourceIdError("resource id has an empty segment or a trailing '/'");
  if (s.some((x) => x === "." || x === ".."))
    throw new InvalidResourceIdError("resource id may not contain '.' or '..' segments");
  const shape = (ok: boolean): void => {
    if (!ok)
      throw new InvalidResourceIdError(
        "resource id does not name a management group, subscription, resource group, VM or scale set",
      );
  };

  if (keyword(s[0], "providers")) {
    shape(
      s.length === 4 &&
        keyword(s[1], "Management", "Microsoft.Management") &&
        keyword(s[2], "managementGroups"),
    );
    return managementGroupId(s[3] as string);
  }
  shape(keyword(s[0], "subscriptions") && s.length >= 2);
  if (s.length === 2) return subscriptionResourceId(s[1] as string);
  shape(keyword(s[2], "resourceGroups") && s.length >= 4);
  if (s.length === 4) return resourceGroupId(s[1] as string, s[3] as string);
  shape(s.length >= 8 && keyword(s[4], "providers") && keyword(s[5], "Compute", "Microsoft.Compute"));
  if (keyword(s[6], "virtualMachines")) {
    shape(s.length === 8);
    return virtualMachineId(s[1] as string, s[3] as string, s[7] as string);
  }
  shape(keyword(s[6], "virtualMachineScaleSets"));
  if (s.length === 8) return scaleSetId(s[1] as string, s[3] as string, s[7] as string);
  shape(s.length === 10 && keyword(s[8], "virtualMachines"));
  return scaleSetInstanceId(s[1] as string, s[3] as string, s[7] as string, s[9] as string);
}

/** The id's syntactic chain, outermost first, ending with the id itself. */
export function syntacticChain(id: ResourceId): readonly ResourceId[] {
  const chain: ResourceId[] = [];
  for (let at: ResourceId | undefined = id; at; at = at.parent) chain.unshift(at);
  return chain;
}

/**
 * True when `scope` is `target` or one of its syntactic ancestors. Compares whole segments, so
 * `.../resourceGroups/rg1` is never an ancestor of `.../resourceGroups/rg10`. Management-group
 * ancestry is not in the id: use `resolveScopeChain` for that.
 */
export function isSameOrSyntacticAncestor(scope: ResourceId, target: ResourceId): boolean {
  return syntacticChain(target).some((a) => a.key === scope.key);
}
