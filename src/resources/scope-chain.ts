/**
 * The full ancestor chain of a scope, as RBAC inheritance needs it: the management groups from
 * the tenant root down, then the subscription, resource group, scale set and the resource.
 * The management-group part is not in the id, so it is read from the tree.
 */
import { ResourceConflictError } from "./errors.ts";
import type { ResourceRepository } from "./repository.ts";
import { parseResourceId, type ResourceId, syntacticChain } from "./resource-id.ts";
import { MAX_MANAGEMENT_GROUP_DEPTH } from "./tree.ts";

/**
 * Outermost first, ending with `id` itself. Each entry is a parsed id, spelled as stored when the
 * resource exists (so `/SUBSCRIPTIONS/...` comes back in its created case); compare scopes by
 * `key` (whole ids, never prefixes). A subscription not in the tree gets no management groups.
 */
export async function resolveScopeChain(
  repo: ResourceRepository,
  id: ResourceId | string,
): Promise<readonly ResourceId[]> {
  const parsed = typeof id === "string" ? parseResourceId(id) : id;
  const chain: ResourceId[] = [];
  let topParent: string | undefined;
  for (const entry of syntacticChain(parsed)) {
    const stored = await repo.getResource(entry.key);
    if (chain.length === 0) topParent = stored?.parentId;
    chain.push(stored ? parseResourceId(stored.id) : entry);
  }
  const groups: ResourceId[] = [];
  for (let parentId = topParent; parentId !== undefined; ) {
    if (groups.length > MAX_MANAGEMENT_GROUP_DEPTH + 1)
      throw new ResourceConflictError("management group tree is too deep or cyclic");
    const group = parseResourceId(parentId);
    groups.unshift(group);
    parentId = (await repo.getResource(group.key))?.parentId;
  }
  return [...groups, ...chain];
}

/**
 * The management-group scopes above a subscription or management group, nearest first: the
 * shape RBAC's `ScopeAncestry` asks for.
 */
export async function managementGroupsAbove(
  repo: ResourceRepository,
  scope: string,
): Promise<readonly string[]> {
  const parsed = parseResourceId(scope);
  const chain = await resolveScopeChain(
    repo,
    parsed.kind === "managementGroup" || parsed.kind === "subscription"
      ? parsed
      : (syntacticChain(parsed)[0] as ResourceId),
  );
  return chain
    .filter((c) => c.kind === "managementGroup" && c.key !== parsed.key)
    .map((c) => c.id)
    .reverse();
}
