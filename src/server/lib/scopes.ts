import { type TObject, type TString, Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";

/**
 * A resource or scope name in a path. Letters and digits of any script plus `_ . ( ) ~ -`, not
 * only dots: so `..`, `%2e%2e` (Fastify decodes params) and `%2f` (decodes to `/`) never pass.
 * The resources module applies the stricter per-type rules.
 */
export const NAME_PATTERN = "^(?!\\.+$)[\\p{L}\\p{N}_.()~-]{1,90}$";

export function NameParam(description: string): TString {
  return Type.String({ pattern: NAME_PATTERN, minLength: 1, maxLength: 90, description });
}

/** A path prefix that names a scope, with its params in order. */
export interface ScopeTemplate {
  /** Used in operation ids: `RoleAssignments_List_AtResourceGroup`. */
  readonly name: string;
  /** The Fastify path prefix ("" for the root scope "/"). */
  readonly prefix: string;
  readonly params: readonly string[];
}

const RG = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName";

export const SCOPE_TEMPLATES: readonly ScopeTemplate[] = [
  { name: "Root", prefix: "", params: [] },
  {
    name: "ManagementGroup",
    prefix: "/providers/Management/managementGroups/:managementGroupId",
    params: ["managementGroupId"],
  },
  { name: "Subscription", prefix: "/subscriptions/:subscriptionId", params: ["subscriptionId"] },
  { name: "ResourceGroup", prefix: RG, params: ["subscriptionId", "resourceGroupName"] },
  {
    name: "VirtualMachine",
    prefix: `${RG}/providers/Compute/virtualMachines/:vmName`,
    params: ["subscriptionId", "resourceGroupName", "vmName"],
  },
  {
    name: "ScaleSet",
    prefix: `${RG}/providers/Compute/virtualMachineScaleSets/:vmScaleSetName`,
    params: ["subscriptionId", "resourceGroupName", "vmScaleSetName"],
  },
];

/** The params schema of a template plus `extra` params after it. */
export function scopeParams<E extends Record<string, TString>>(
  template: ScopeTemplate,
  extra: E = {} as E,
): TObject<E> {
  // Typed with the extras only: handlers reach the scope params through scopeOf().
  const properties: Record<string, TString> = {};
  for (const name of template.params) properties[name] = NameParam(name);
  return Type.Object({ ...properties, ...extra } as E, { additionalProperties: false });
}

/**
 * The scope string, rebuilt from the validated params (never from the raw URL, whose encoding a
 * caller controls).
 */
export function scopeOf(template: ScopeTemplate, request: FastifyRequest): string {
  if (template.prefix === "") return "/";
  const params = request.params as Record<string, string>;
  return template.prefix.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`missing path param ${name}`);
    return value;
  });
}
