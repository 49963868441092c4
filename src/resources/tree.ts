/**
 * The tree above the machines: management groups (under the tenant root group, whose id is the
 * tenant id, as in Azure), subscriptions and resource groups.
 */
import { randomUUID } from "node:crypto";
import { ResourceConflictError, ResourceNotFoundError } from "./errors.ts";
import { checkLocation, checkTags, checkText } from "./lib/inputs.ts";
import type { ResourceRepository } from "./repository.ts";
import {
  managementGroupId,
  parseResourceId,
  type ResourceId,
  type ResourceKind,
  resourceGroupId,
  subscriptionResourceId,
} from "./resource-id.ts";
import type { Page, PageRequest, Resource } from "./types.ts";

/** Azure allows six levels of management groups below the root; so do we. */
export const MAX_MANAGEMENT_GROUP_DEPTH = 6;

interface Clocked {
  readonly now?: () => Date;
}

async function insert(
  repo: ResourceRepository,
  id: ResourceId,
  fields: Omit<Resource, "kind" | "id" | "name" | "createdAt" | "updatedAt"> & Clocked,
): Promise<Resource> {
  const now = fields.now ? fields.now() : new Date();
  const resource: Resource = {
    kind: id.kind,
    id: id.id,
    name: id.name,
    tenantId: fields.tenantId,
    parentId: fields.parentId,
    displayName: fields.displayName,
    location: fields.location,
    tags: fields.tags,
    createdAt: now,
    updatedAt: now,
  };
  if (await repo.getResource(id.key)) throw new ResourceConflictError(`${id.id} already exists`);
  await repo.insertResource(resource);
  return resource;
}

export async function requireResource(
  repo: ResourceRepository,
  id: ResourceId | string,
  kind?: ResourceKind,
): Promise<Resource> {
  const parsed = typeof id === "string" ? parseResourceId(id) : id;
  const resource = await repo.getResource(parsed.key);
  if (!resource || (kind && resource.kind !== kind))
    throw new ResourceNotFoundError(`${parsed.id} was not found`);
  return resource;
}

/** The root management group of a tenant: id = tenant id, display name "Tenant Root Group". */
export async function createRootManagementGroup(
  repo: ResourceRepository,
  input: { tenantId: string } & Clocked,
): Promise<Resource> {
  const id = managementGroupId(input.tenantId);
  return insert(repo, id, {
    ...input,
    parentId: undefined,
    displayName: "Tenant Root Group",
    location: "",
    tags: {},
  });
}

async function managementGroupDepth(repo: ResourceRepository, key: string): Promise<number> {
  let depth = 0;
  for (
    let at = await repo.getResource(key);
    at?.parentId;
    at = await repo.getResource(at.parentId.toLowerCase())
  ) {
    if (++depth > MAX_MANAGEMENT_GROUP_DEPTH + 1) break;
  }
  return depth;
}

export async function createManagementGroup(
  repo: ResourceRepository,
  input: { tenantId: string; name: string; displayName?: string; parentId?: string } & Clocked,
): Promise<Resource> {
  const id = managementGroupId(input.name);
  const displayName = checkText(input.displayName ?? input.name, "display name", 90);
  return repo.transaction(async (tx) => {
    const parent = await requireResource(
      tx,
      input.parentId ?? managementGroupId(input.tenantId),
      "managementGroup",
    );
    if (parent.tenantId !== input.tenantId) throw new ResourceNotFoundError(`${parent.id} was not found`);
    if ((await managementGroupDepth(tx, parent.id.toLowerCase())) + 1 > MAX_MANAGEMENT_GROUP_DEPTH) {
      throw new ResourceConflictError(
        `management groups may be nested at most ${MAX_MANAGEMENT_GROUP_DEPTH} levels deep`,
      );
    }
    return insert(tx, id, { ...input, parentId: parent.id, displayName, location: "", tags: {} });
  });
}

export async function createSubscription(
  repo: ResourceRepository,
  input: {
    tenantId: string;
    displayName: string;
    subscriptionId?: string;
    managementGroupId?: string;
  } & Clocked,
): Promise<Resource> {
  const id = subscriptionResourceId(input.subscriptionId ?? randomUUID());
  const displayName = checkText(input.displayName, "display name", 64);
  return repo.transaction(async (tx) => {
    const parent = await requireResource(
      tx,
      input.managementGroupId ?? managementGroupId(input.tenantId),
      "managementGroup",
    );
    if (parent.tenantId !== input.tenantId) throw new ResourceNotFoundError(`${parent.id} was not found`);
    return insert(tx, id, { ...input, parentId: parent.id, displayName, location: "", tags: {} });
  });
}

/** Moves a subscription or management group under another management group (no cycles). */
export async function moveUnderManagementGroup(
  repo: ResourceRepository,
  id: string,
  managementGroup: string,
  now?: () => Date,
): Promise<void> {
  const child = parseResourceId(id);
  const target = parseResourceId(managementGroup);
  await repo.transaction(async (tx) => {
    const node = await requireResource(tx, child);
    const parent = await requireResource(tx, target, "managementGroup");
    if (node.kind !== "subscription" && node.kind !== "managementGroup") {
      throw new ResourceConflictError(
        "only subscriptions and management groups can be moved between management groups",
      );
    }
    if (node.parentId === undefined && node.kind === "managementGroup")
      throw new ResourceConflictError("the root group cannot move");
    for (
      let at: Resource | undefined = parent;
      at;
      at = at.parentId ? await tx.getResource(at.parentId.toLowerCase()) : undefined
    ) {
      if (at.id.toLowerCase() === child.key)
        throw new ResourceConflictError("a management group cannot move under itself");
    }
    await tx.setParent(child.key, target.key, now ? now() : new Date());
  });
}

export async function createResourceGroup(
  repo: ResourceRepository,
  input: {
    tenantId: string;
    subscriptionId: string;
    name: string;
    location: string;
    tags?: unknown;
  } & Clocked,
): Promise<Resource> {
  const id = resourceGroupId(input.subscriptionId, input.name);
  const location = checkLocation(input.location);
  const tags = checkTags(input.tags);
  return repo.transaction(async (tx) => {
    const sub = await requireResource(tx, id.parent as ResourceId, "subscription");
    if (sub.tenantId !== input.tenantId) throw new ResourceNotFoundError(`${sub.id} was not found`);
    return insert(tx, id, { ...input, parentId: sub.id, displayName: id.name, location, tags });
  });
}

export async function listChildren(
  repo: ResourceRepository,
  parentId: string,
  page: PageRequest,
  kind?: ResourceKind,
): Promise<Page<Resource>> {
  return repo.listChildren(parseResourceId(parentId).key, kind, page);
}

/** Deletes a resource that has no children (delete VMs before their group, like `az group delete` does in order). */
export async function deleteResource(repo: ResourceRepository, id: string): Promise<void> {
  const parsed = parseResourceId(id);
  await repo.transaction(async (tx) => {
    await requireResource(tx, parsed);
    if ((await tx.countChildren(parsed.key)) > 0)
      throw new ResourceConflictError(`${parsed.id} still contains resources`);
    await tx.deleteResource(parsed.key);
  });
}
