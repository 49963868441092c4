/**
 * Virtual machines, scale sets and scale-set instances: the machine profile, network interfaces,
 * extensions, the agent's status and heartbeat, and model versions for scale sets.
 */
import { InvalidResourceInputError, ResourceConflictError, ResourceNotFoundError } from "./errors.ts";
import { checkKnownExtension } from "./extensions.ts";
import {
  checkAdminSshPublicKey,
  checkAdminUsername,
  checkImage,
  checkIp,
  checkLocation,
  checkNetworkInterfaces,
  checkSize,
  checkTags,
  checkText,
} from "./lib/inputs.ts";
import type { ResourceRepository } from "./repository.ts";
import {
  parseResourceId,
  type ResourceId,
  scaleSetId,
  scaleSetInstanceId,
  virtualMachineId,
} from "./resource-id.ts";
import { requireResource } from "./tree.ts";
import {
  AGENT_STATUSES,
  type AgentStatus,
  type Extension,
  type Machine,
  PROVISIONING_STATES,
  type Resource,
} from "./types.ts";

export interface CreateMachineInput {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location?: string;
  readonly image: string;
  readonly adminUsername: string;
  readonly size?: string;
  readonly tags?: unknown;
  readonly networkInterfaces?: unknown;
  readonly identityPrincipalId?: string;
  /** An OpenSSH public key line for the admin account (checked and normalised). */
  readonly adminSshPublicKey?: string;
  readonly now?: () => Date;
}

async function create(
  repo: ResourceRepository,
  id: ResourceId,
  input: CreateMachineInput,
  modelVersion: number,
): Promise<Machine> {
  const image = checkImage(input.image);
  const adminUsername = checkAdminUsername(input.adminUsername);
  const size = checkSize(input.size);
  const tags = checkTags(input.tags);
  const nics = checkNetworkInterfaces(input.networkInterfaces);
  const adminSshPublicKey =
    input.adminSshPublicKey === undefined ? undefined : checkAdminSshPublicKey(input.adminSshPublicKey);
  const now = input.now ? input.now() : new Date();
  return repo.transaction(async (tx) => {
    const parent = await requireResource(tx, id.parent as ResourceId);
    if (parent.tenantId !== input.tenantId) throw new ResourceNotFoundError(`${parent.id} was not found`);
    const location = input.location === undefined ? parent.location : checkLocation(input.location);
    if (await tx.getResource(id.key)) throw new ResourceConflictError(`${id.id} already exists`);
    await tx.insertResource({
      kind: id.kind,
      id: id.id,
      tenantId: input.tenantId,
      name: id.name,
      parentId: parent.id,
      displayName: id.name,
      location,
      tags,
      createdAt: now,
      updatedAt: now,
    });
    await tx.insertMachine(id.key, {
      image,
      adminUsername,
      size,
      identityPrincipalId: input.identityPrincipalId,
      agentStatus: "unknown",
      lastHeartbeatAt: undefined,
      modelVersion,
      ...(adminSshPublicKey === undefined ? {} : { adminSshPublicKey }),
    });
    await tx.replaceNetworkInterfaces(id.key, nics);
    return getMachine(tx, id);
  });
}

export function createVirtualMachine(repo: ResourceRepository, input: CreateMachineInput): Promise<Machine> {
  return create(repo, virtualMachineId(input.subscriptionId, input.resourceGroup, input.name), input, 1);
}

export function createScaleSet(repo: ResourceRepository, input: CreateMachineInput): Promise<Machine> {
  return create(repo, scaleSetId(input.subscriptionId, input.resourceGroup, input.name), input, 1);
}

/** Adds an instance running the scale set's current model and inheriting its profile. */
export async function addScaleSetInstance(
  repo: ResourceRepository,
  input: { scaleSetId: string; instanceId: string; networkInterfaces?: unknown; now?: () => Date },
): Promise<Machine> {
  const set = await getMachine(repo, input.scaleSetId);
  if (set.kind !== "virtualMachineScaleSet") throw new ResourceNotFoundError(`${set.id} is not a scale set`);
  const parsed = parseResourceId(set.id);
  const id = scaleSetInstanceId(
    parsed.subscriptionId as string,
    parsed.resourceGroup as string,
    set.name,
    input.instanceId,
  );
  const base: CreateMachineInput = {
    tenantId: set.tenantId,
    subscriptionId: parsed.subscriptionId as string,
    resourceGroup: parsed.resourceGroup as string,
    name: set.name,
    location: set.location,
    image: set.image,
    adminUsername: set.adminUsername,
    size: set.size,
    ...(set.adminSshPublicKey === undefined ? {} : { adminSshPublicKey: set.adminSshPublicKey }),
    networkInterfaces: input.networkInterfaces,
    ...(input.now ? { now: input.now } : {}),
  };
  return create(repo, id, base, set.modelVersion);
}

export async function getMachine(repo: ResourceRepository, id: ResourceId | string): Promise<Machine> {
  const parsed = typeof id === "string" ? parseResourceId(id) : id;
  const resource: Resource = await requireResource(repo, parsed);
  const profile = await repo.getMachineProfile(parsed.key);
  if (!profile) throw new ResourceNotFoundError(`${parsed.id} is not a machine`);
  let latestModelApplied: boolean | undefined;
  if (resource.kind === "virtualMachineScaleSetVm" && parsed.parent) {
    latestModelApplied =
      (await repo.getMachineProfile(parsed.parent.key))?.modelVersion === profile.modelVersion;
  }
  return {
    ...resource,
    ...profile,
    kind: resource.kind as Machine["kind"],
    networkInterfaces: await repo.listNetworkInterfaces(parsed.key),
    extensions: await repo.listExtensions(parsed.key),
    latestModelApplied,
  };
}

/** Keys of machines reachable at `ip` (private or public), for `ssh vm --ip`. */
export async function findMachinesByIp(repo: ResourceRepository, ip: string): Promise<readonly Machine[]> {
  const address = checkIp(ip, "IP address");
  if (!address) return [];
  const keys = await repo.findMachinesByIp(address);
  return Promise.all(keys.map((k) => getMachine(repo, k)));
}

export async function recordHeartbeat(
  repo: ResourceRepository,
  input: { id: string; status: AgentStatus; at: Date },
): Promise<void> {
  if (!AGENT_STATUSES.includes(input.status)) throw new InvalidResourceInputError("unknown agent status");
  const parsed = parseResourceId(input.id);
  if (
    !(await repo.updateMachineProfile(parsed.key, { agentStatus: input.status, lastHeartbeatAt: input.at }))
  ) {
    throw new ResourceNotFoundError(`${parsed.id} was not found`);
  }
}

/** Sets (or clears, with undefined) the machine's system-assigned identity. */
export async function setMachineIdentity(
  repo: ResourceRepository,
  id: string,
  principalId: string | undefined,
): Promise<void> {
  const parsed = parseResourceId(id);
  if (!(await repo.updateMachineProfile(parsed.key, { identityPrincipalId: principalId }))) {
    throw new ResourceNotFoundError(`${parsed.id} was not found`);
  }
}

export async function putExtension(
  repo: ResourceRepository,
  id: string,
  input: Omit<Extension, "updatedAt" | "settings"> & { settings?: Record<string, unknown>; now?: () => Date },
): Promise<Extension> {
  const parsed = parseResourceId(id);
  const machine = await getMachine(repo, parsed);
  if (!PROVISIONING_STATES.includes(input.provisioningState))
    throw new InvalidResourceInputError("unknown provisioning state");
  const type = checkText(input.type, "extension type", 64);
  checkKnownExtension(type);
  const extension: Extension = {
    name: checkText(input.name, "extension name", 64),
    publisher: checkText(input.publisher, "extension publisher", 128),
    type,
    version: checkText(input.version, "extension version", 32),
    provisioningState: input.provisioningState,
    settings: input.settings ?? {},
    updatedAt: input.now ? input.now() : new Date(),
  };
  if (JSON.stringify(extension.settings).length > 16_384)
    throw new InvalidResourceInputError("extension settings are too large");
  await repo.putExtension(parsed.key, extension);
  const before = machine.extensions.find((e) => e.name.toLowerCase() === extension.name.toLowerCase());
  const { provisioningState: _state, updatedAt: _at, ...model } = extension;
  const same =
    before !== undefined &&
    JSON.stringify(model) ===
      JSON.stringify({
        name: before.name,
        publisher: before.publisher,
        type: before.type,
        version: before.version,
        settings: before.settings,
      });
  if (!same) await newScaleSetModel(repo, machine);
  return extension;
}

export async function removeExtension(repo: ResourceRepository, id: string, name: string): Promise<boolean> {
  const parsed = parseResourceId(id);
  const removed = await repo.deleteExtension(parsed.key, name);
  if (removed && parsed.kind === "virtualMachineScaleSet")
    await newScaleSetModel(repo, await getMachine(repo, parsed));
  return removed;
}

/**
 * A scale set's extensions are part of its model: adding, changing or removing one makes a new
 * model, and its instances show `latestModelApplied: false` until `vmss update-instances`.
 * (A provisioning-state change alone is no new model.) Nothing for a VM or an instance.
 */
async function newScaleSetModel(repo: ResourceRepository, machine: Machine): Promise<void> {
  if (machine.kind !== "virtualMachineScaleSet") return;
  await repo.updateMachineProfile(machine.id.toLowerCase(), { modelVersion: machine.modelVersion + 1 });
}

/** A new scale-set model (image or profile changed): instances report latestModelApplied=false until upgraded. */
export async function updateScaleSetModel(
  repo: ResourceRepository,
  id: string,
  patch: { image?: string; size?: string },
): Promise<Machine> {
  const set = await getMachine(repo, id);
  if (set.kind !== "virtualMachineScaleSet") throw new ResourceNotFoundError(`${set.id} is not a scale set`);
  await repo.updateMachineProfile(set.id.toLowerCase(), {
    ...(patch.image !== undefined ? { image: checkImage(patch.image) } : {}),
    ...(patch.size !== undefined ? { size: checkSize(patch.size) } : {}),
    modelVersion: set.modelVersion + 1,
  });
  return getMachine(repo, id);
}

/** Brings an instance to its scale set's current model (`az vmss update-instances`). */
export async function upgradeScaleSetInstance(repo: ResourceRepository, id: string): Promise<Machine> {
  const parsed = parseResourceId(id);
  if (parsed.kind !== "virtualMachineScaleSetVm" || !parsed.parent) {
    throw new InvalidResourceInputError("not a scale-set instance id");
  }
  const set = await getMachine(repo, parsed.parent);
  await getMachine(repo, parsed);
  await repo.updateMachineProfile(parsed.key, {
    image: set.image,
    size: set.size,
    modelVersion: set.modelVersion,
  });
  return getMachine(repo, parsed);
}

/**
 * `vm delete` / `vmss delete`: a VM, or a scale set together with its instances (as az deletes
 * them), in one transaction. The caller removes the managed identity first.
 */
export async function deleteMachine(repo: ResourceRepository, id: string): Promise<void> {
  const parsed = parseResourceId(id);
  await repo.transaction(async (tx) => {
    const machine = await requireResource(tx, parsed);
    if (machine.kind === "virtualMachineScaleSet") {
      for (;;) {
        const page = await tx.listChildren(parsed.key, "virtualMachineScaleSetVm", { limit: 1000 });
        if (page.items.length === 0) break;
        for (const instance of page.items) await tx.deleteResource(parseResourceId(instance.id).key);
      }
    }
    if ((await tx.countChildren(parsed.key)) > 0)
      throw new ResourceConflictError(`${parsed.id} still contains resources`);
    await tx.deleteResource(parsed.key);
  });
}
