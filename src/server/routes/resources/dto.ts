import { Type } from "@fastify/type-provider-typebox";
import type { Extension, Machine, Resource, ResourceKind } from "../../../resources/index.ts";

export const RESOURCE_TYPES: Readonly<Record<ResourceKind, string>> = {
  managementGroup: "Management/managementGroups",
  subscription: "Resources/subscriptions",
  resourceGroup: "Resources/resourceGroups",
  virtualMachine: "Compute/virtualMachines",
  virtualMachineScaleSet: "Compute/virtualMachineScaleSets",
  virtualMachineScaleSetVm: "Compute/virtualMachineScaleSets/virtualMachines",
};

export const ResourceDto = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.String(),
    displayName: Type.String(),
    location: Type.String(),
    tags: Type.Record(Type.String(), Type.String()),
    parentId: Type.Optional(Type.String()),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);

export const ExtensionDto = Type.Object(
  {
    name: Type.String(),
    publisher: Type.String(),
    type: Type.String(),
    typeHandlerVersion: Type.String(),
    provisioningState: Type.String(),
    settings: Type.Record(Type.String(), Type.Unknown()),
    updatedAt: Type.String(),
  },
  { additionalProperties: false },
);

export const IdentityDto = Type.Object(
  { type: Type.Literal("SystemAssigned"), principalId: Type.String(), tenantId: Type.String() },
  { additionalProperties: false },
);

export const MachineDto = Type.Object(
  {
    ...ResourceDto.properties,
    resourceGroup: Type.String(),
    image: Type.String(),
    adminUsername: Type.String(),
    adminSshPublicKey: Type.Optional(Type.String()),
    size: Type.String(),
    identity: Type.Optional(IdentityDto),
    networkInterfaces: Type.Array(
      Type.Object({
        name: Type.String(),
        privateIp: Type.Optional(Type.String()),
        publicIp: Type.Optional(Type.String()),
      }),
    ),
    privateIps: Type.String(),
    publicIps: Type.String(),
    extensions: Type.Array(ExtensionDto),
    provisioningState: Type.Literal("Succeeded"),
    /** az's `powerState` ("VM running") as far as the service can tell (powerStateOf). */
    powerState: Type.String(),
    agentStatus: Type.String(),
    lastHeartbeatAt: Type.Optional(Type.String()),
    modelVersion: Type.Integer(),
    latestModelApplied: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export function toResourceDto(r: Resource) {
  return {
    id: r.id,
    name: r.name,
    type: RESOURCE_TYPES[r.kind],
    displayName: r.displayName,
    location: r.location,
    tags: { ...r.tags },
    ...(r.parentId === undefined ? {} : { parentId: r.parentId }),
    createdAt: r.createdAt.toISOString(),
  };
}

export function toExtensionDto(e: Extension) {
  return {
    name: e.name,
    publisher: e.publisher,
    type: e.type,
    typeHandlerVersion: e.version,
    provisioningState: e.provisioningState,
    settings: { ...e.settings },
    updatedAt: e.updatedAt.toISOString(),
  };
}

/**
 * az's display power state, from what the service knows: "VM running" while the machine's agent
 * holds its stream (or right after the machine host started it: `started`), else "VM unknown"
 * (Azure's PowerState/unknown): no agent connected now, so the service cannot see the computer.
 * `agentStatus` says which (never connected, or lost).
 */
export function powerStateOf(m: Pick<Machine, "agentStatus">, started = false): string {
  return started || m.agentStatus === "ready" ? "VM running" : "VM unknown";
}

/** Shaped like `az vm show -d`: ips as comma-separated strings, identity only when enabled. */
export function toMachineDto(m: Machine, options: { started?: boolean } = {}) {
  const rg = /\/resourceGroups\/([^/]+)/i.exec(m.id)?.[1] ?? "";
  const join = (pick: (n: Machine["networkInterfaces"][number]) => string | undefined) =>
    m.networkInterfaces
      .map(pick)
      .filter((ip): ip is string => ip !== undefined)
      .join(",");
  return {
    ...toResourceDto(m),
    resourceGroup: rg,
    image: m.image,
    adminUsername: m.adminUsername,
    ...(m.adminSshPublicKey === undefined ? {} : { adminSshPublicKey: m.adminSshPublicKey }),
    size: m.size,
    ...(m.identityPrincipalId === undefined
      ? {}
      : {
          identity: {
            type: "SystemAssigned" as const,
            principalId: m.identityPrincipalId,
            tenantId: m.tenantId,
          },
        }),
    networkInterfaces: m.networkInterfaces.map((n) => ({
      name: n.name,
      privateIp: n.privateIp,
      publicIp: n.publicIp,
    })),
    privateIps: join((n) => n.privateIp),
    publicIps: join((n) => n.publicIp),
    extensions: m.extensions.map(toExtensionDto),
    provisioningState: "Succeeded" as const,
    powerState: powerStateOf(m, options.started),
    agentStatus: m.agentStatus,
    ...(m.lastHeartbeatAt === undefined ? {} : { lastHeartbeatAt: m.lastHeartbeatAt.toISOString() }),
    modelVersion: m.modelVersion,
    ...(m.latestModelApplied === undefined ? {} : { latestModelApplied: m.latestModelApplied }),
  };
}

export const Tags = Type.Record(Type.String({ maxLength: 512 }), Type.String({ maxLength: 256 }), {
  maxProperties: 50,
});
