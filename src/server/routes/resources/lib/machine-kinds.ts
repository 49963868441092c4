import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import {
  createScaleSet,
  createVirtualMachine,
  scaleSetId,
  virtualMachineId,
} from "../../../../resources/index.ts";
import { NameParam } from "../../../lib/scopes.ts";

/** VMs and scale sets share their routes: same body, same identity and extension handling. */
export interface MachineKind {
  readonly name: "VirtualMachine" | "ScaleSet";
  readonly kind: "virtualMachine" | "virtualMachineScaleSet";
  /** Path up to and including the machine name param. */
  readonly path: string;
  /** The RBAC namespace, e.g. `Compute/virtualMachines`. */
  readonly actions: string;
  readonly create: typeof createVirtualMachine;
  /** The canonical id from the validated params. */
  id(request: FastifyRequest): string;
}

const RG = "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName";

interface MachineParams {
  subscriptionId: string;
  resourceGroupName: string;
  name: string;
}

export const MACHINE_KINDS: readonly MachineKind[] = [
  {
    name: "VirtualMachine",
    kind: "virtualMachine",
    path: `${RG}/providers/Compute/virtualMachines/:name`,
    actions: "Compute/virtualMachines",
    create: createVirtualMachine,
    id: (r) => {
      const p = r.params as MachineParams;
      return virtualMachineId(p.subscriptionId, p.resourceGroupName, p.name).id;
    },
  },
  {
    name: "ScaleSet",
    kind: "virtualMachineScaleSet",
    path: `${RG}/providers/Compute/virtualMachineScaleSets/:name`,
    actions: "Compute/virtualMachineScaleSets",
    create: createScaleSet,
    id: (r) => {
      const p = r.params as MachineParams;
      return scaleSetId(p.subscriptionId, p.resourceGroupName, p.name).id;
    },
  },
];

const machineParamProperties = {
  subscriptionId: NameParam("subscription id"),
  resourceGroupName: NameParam("resource group"),
  name: NameParam("machine name"),
};

/** Params of a machine route. */
export const MachineParams = Type.Object(machineParamProperties, { additionalProperties: false });

/** Params of a machine's extension route. */
export const MachineExtensionParams = Type.Object(
  { ...machineParamProperties, extensionName: NameParam("extension name") },
  { additionalProperties: false },
);
