/** Tenants: the unit of isolation. Each tenant has its own uid counter. */
import { randomUUID } from "node:crypto";
import { DirectoryConflictError, InvalidDirectoryInputError, TenantNotFoundError } from "./errors.ts";
import { checkDisplayName, checkUuid } from "./lib/checks.ts";
import type { DirectoryRepository } from "./repository.ts";
import type { Tenant } from "./types.ts";

/** uids below this belong to the host (Debian: 1000-59999 for local users, 65534 nobody). */
export const FIRST_UID = 100_000;
const TENANT_NAME = /^[a-z][a-z0-9-]{1,62}[a-z0-9]$/;

export interface CreateTenantInput {
  /** `contoso`: 3-64 of `[a-z0-9-]`, starting with a letter; stored lower case. */
  readonly name: string;
  readonly displayName?: string;
  /** Normally random; fixed ids are for bootstrap and tests. */
  readonly id?: string;
  readonly now?: () => Date;
}

export async function createTenant(repo: DirectoryRepository, input: CreateTenantInput): Promise<Tenant> {
  const name = typeof input.name === "string" ? input.name.toLowerCase() : "";
  if (!TENANT_NAME.test(name)) {
    throw new InvalidDirectoryInputError(
      "tenant name must be 3-64 characters of a-z, 0-9 and '-', starting with a letter",
    );
  }
  const tenant: Tenant = {
    id: input.id === undefined ? randomUUID() : checkUuid(input.id, "tenant id"),
    name,
    displayName: checkDisplayName(input.displayName ?? name),
    createdAt: input.now ? input.now() : new Date(),
  };
  return repo.transaction(async (tx) => {
    if (await tx.findTenantByName(name)) throw new DirectoryConflictError(`tenant '${name}' already exists`);
    await tx.insertTenant(tenant, FIRST_UID);
    return tenant;
  });
}

export async function getTenant(repo: DirectoryRepository, idOrName: string): Promise<Tenant> {
  const tenant =
    typeof idOrName === "string" && /^[0-9a-f-]{36}$/i.test(idOrName)
      ? await repo.getTenant(idOrName.toLowerCase())
      : await repo.findTenantByName(String(idOrName).toLowerCase());
  if (!tenant) throw new TenantNotFoundError("tenant not found");
  return tenant;
}
