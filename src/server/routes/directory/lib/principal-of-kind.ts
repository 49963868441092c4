import {
  type DirectoryRepository,
  type Principal,
  type PrincipalKind,
  PrincipalNotFoundError,
} from "../../../../directory/index.ts";

/** The principal `id` if it exists in the tenant and is of `kind`; "not found" otherwise. */
export async function principalOfKind<K extends PrincipalKind>(
  directory: DirectoryRepository,
  tenantId: string,
  id: string,
  kind: K,
): Promise<Extract<Principal, { kind: K }>> {
  const found = await directory.getPrincipal(tenantId, id.toLowerCase());
  if (found?.kind !== kind) throw new PrincipalNotFoundError(`${kind} '${id}' not found`);
  return found as Extract<Principal, { kind: K }>;
}

/** Deletes a group or service principal (users have their own use case, `deleteUser`). */
export async function deletePrincipalOfKind(
  directory: DirectoryRepository,
  tenantId: string,
  id: string,
  kind: "group" | "servicePrincipal",
): Promise<Principal> {
  return directory.transaction(async (tx) => {
    const found = await principalOfKind(tx, tenantId, id, kind);
    await tx.deletePrincipal(tenantId, found.id);
    return found;
  });
}
