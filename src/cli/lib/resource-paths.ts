/** API paths of resources, built from names given on the command line (each segment encoded). */

const seg = (value: string): string => encodeURIComponent(value);

export const subscriptionPath = (subscription: string): string => `/subscriptions/${seg(subscription)}`;

export const resourceGroupPath = (subscription: string, group: string): string =>
  `${subscriptionPath(subscription)}/resourceGroups/${seg(group)}`;

/** VMs and scale sets: the two machine kinds, which share their routes' shapes. */
export type MachineKind = "vm" | "vmss";

const PROVIDER: Readonly<Record<MachineKind, string>> = {
  vm: "Compute/virtualMachines",
  vmss: "Compute/virtualMachineScaleSets",
};

export const machinesPath = (kind: MachineKind, subscription: string, group: string): string =>
  `${resourceGroupPath(subscription, group)}/providers/${PROVIDER[kind]}`;

export const machinePath = (kind: MachineKind, subscription: string, group: string, name: string): string =>
  `${machinesPath(kind, subscription, group)}/${seg(name)}`;

/**
 * A scope or resource id as the user typed it (`--scope`, `--ids`): the seed's ids spell
 * providers `Microsoft.Compute`, hostpass's `Compute`; both are accepted. The service checks the rest.
 */
export function scopePath(scope: string): string {
  const trimmed = scope.trim();
  if (trimmed === "/" || trimmed === "") return "";
  return trimmed.replace(/\/providers\/Microsoft\./gi, "/providers/").replace(/\/+$/, "");
}
