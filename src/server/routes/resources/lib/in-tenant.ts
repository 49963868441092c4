import { ResourceNotFoundError } from "../../../../resources/index.ts";

/**
 * Resource ids are global, so a lookup must also match the caller's tenant: another tenant's
 * resource is "not found", never "forbidden" (that would confirm it exists).
 */
export function inTenant<T extends { readonly tenantId: string; readonly id: string }>(
  resource: T,
  tenantId: string,
): T {
  if (resource.tenantId !== tenantId) throw new ResourceNotFoundError(`${resource.id} was not found`);
  return resource;
}
