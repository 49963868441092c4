/**
 * System-assigned managed identities: one principal per VM or scale set, owned by that resource.
 * The host agent holds its credential; disabling the identity stops logins through it.
 */
import { randomUUID } from "node:crypto";
import { InvalidResourceIdError, parseResourceId } from "../resources/index.ts";
import {
  DirectoryConflictError,
  InvalidDirectoryInputError,
  PrincipalNotFoundError,
  TenantNotFoundError,
} from "./errors.ts";
import { checkDisplayName, timeOf } from "./lib/checks.ts";
import type { DirectoryRepository } from "./repository.ts";
import { setPrincipalEnabled } from "./sessions.ts";
import type { ManagedIdentity } from "./types.ts";

export interface CreateManagedIdentityInput {
  readonly tenantId: string;
  /** Id of the owning VM or scale set; stored in canonical form. */
  readonly resourceId: string;
  /** The resource's name; shown as the identity's display name, like Entra ID does. */
  readonly displayName: string;
  readonly now?: () => Date;
}

/** Only a VM or a scale set can own a system-assigned identity (instances use their set's). */
function ownerOf(resourceId: string): { id: string; key: string } {
  try {
    const parsed = parseResourceId(resourceId);
    if (parsed.kind === "virtualMachine" || parsed.kind === "virtualMachineScaleSet") return parsed;
  } catch (error) {
    if (!(error instanceof InvalidResourceIdError)) throw error;
  }
  throw new InvalidDirectoryInputError("a managed identity belongs to a VM or scale set resource id");
}

export async function createManagedIdentity(
  repo: DirectoryRepository,
  input: CreateManagedIdentityInput,
): Promise<ManagedIdentity> {
  const owner = ownerOf(input.resourceId);
  const identity: ManagedIdentity = {
    kind: "managedIdentity",
    id: randomUUID(),
    tenantId: input.tenantId,
    resourceId: owner.id,
    displayName: checkDisplayName(input.displayName),
    enabled: true,
    createdAt: timeOf(input.now),
  };
  return repo.transaction(async (tx) => {
    if (!(await tx.getTenant(input.tenantId))) throw new TenantNotFoundError("tenant not found");
    if (await tx.findManagedIdentityByResource(owner.key)) {
      throw new DirectoryConflictError("the resource already has a system-assigned identity");
    }
    await tx.insertManagedIdentity(identity, owner.key);
    return identity;
  });
}

export async function getManagedIdentityOf(
  repo: DirectoryRepository,
  resourceId: string,
): Promise<ManagedIdentity | undefined> {
  return repo.findManagedIdentityByResource(ownerOf(resourceId).key);
}

/** Disabling voids the identity's sessions (sessions.ts): its agent signs in again once re-enabled. */
export async function setManagedIdentityEnabled(
  repo: DirectoryRepository,
  tenantId: string,
  id: string,
  enabled: boolean,
  now?: () => Date,
): Promise<void> {
  await setPrincipalEnabled(repo, {
    tenantId,
    id,
    kind: "managedIdentity",
    enabled,
    ...(now ? { now } : {}),
  });
}

/** Removes the identity (the resource was deleted or its identity switched off for good). */
export async function deleteManagedIdentity(
  repo: DirectoryRepository,
  tenantId: string,
  id: string,
): Promise<void> {
  const p = await repo.getPrincipal(tenantId, id);
  if (p?.kind !== "managedIdentity") throw new PrincipalNotFoundError("managed identity not found");
  await repo.deletePrincipal(tenantId, id);
}
