import {
  createManagedIdentity,
  type DirectoryRepository,
  deleteManagedIdentity,
  getManagedIdentityOf,
} from "../../../../directory/index.ts";
import {
  getMachine,
  type Machine,
  type ResourceRepository,
  setMachineIdentity,
} from "../../../../resources/index.ts";
import { inTenant } from "./in-tenant.ts";

interface Repos {
  readonly directory: DirectoryRepository;
  readonly resources: ResourceRepository;
}

/**
 * `vm identity assign`: a system-assigned managed identity owned by the machine. Idempotent.
 * Call it with the repositories of one transaction (`inChange`): the identity and the machine's
 * reference to it commit together, so a failure leaves neither (no orphan to clean up).
 */
export async function assignMachineIdentity(repos: Repos, tenantId: string, id: string): Promise<Machine> {
  const machine = inTenant(await getMachine(repos.resources, id), tenantId);
  if (machine.identityPrincipalId !== undefined) return machine;
  const identity =
    (await getManagedIdentityOf(repos.directory, machine.id)) ??
    (await createManagedIdentity(repos.directory, {
      tenantId,
      resourceId: machine.id,
      displayName: machine.name,
    }));
  await setMachineIdentity(repos.resources, machine.id, identity.id);
  return getMachine(repos.resources, machine.id);
}

/** `vm identity remove`: the machine first (so no login can use it), then the principal. */
export async function removeMachineIdentity(repos: Repos, tenantId: string, id: string): Promise<Machine> {
  const machine = inTenant(await getMachine(repos.resources, id), tenantId);
  await setMachineIdentity(repos.resources, machine.id, undefined);
  const identity = await getManagedIdentityOf(repos.directory, machine.id);
  if (identity !== undefined) await deleteManagedIdentity(repos.directory, tenantId, identity.id);
  return getMachine(repos.resources, machine.id);
}
