/**
 * The full ancestor chain of a scope, as RBAC inheritance needs it: the management groups from
 * the tenant root down, then the subscription, resource group, scale set and the resource.
 * The management-group part is not in the id, so it is read from the tree.
 */
import { ResourceConflictError } from "./errors.ts";
import type { ResourceRepository } from "./repository.ts";
import { parseResourceId, type ResourceId, syntacticChain } from "./resource-id.ts";
import { MAX_MANAGEMENT_GROUP_DEPTH } from "./tree.ts";

/** Root group + six levels of management groups + subscription, group, scale set, instance. */
const MAX_CHAIN = MAX_MANAGEMENT_GROUP_DEPTH + 5;

/**
 * Outermost first, ending with `id` itself. Each entry is a parsed id, spelled as stored when the
 * resource exists (so `/SUBSCRIPTIONS/...` comes back in its created case); compare scopes by
 * `key` (whole ids, never prefixes). Usually one query: the stored parent links of the resource.
 * For an id that is not stored, its nearest stored syntactic ancestor anchors the chain (the
 * unstored rest keeps the caller's spelling); a subscription not in the tree gets no
 * management groups.
 */
export async function resolveScopeChain(
  repo: ResourceRepository,
  id: ResourceId | string,
): Promise<readonly ResourceId[]> {
  const parsed = typeof id === "string" ? parseResourceId(id) : id;
  const syntactic = syntacticChain(parsed);
  for (let i = syntactic.length - 1; i >= 0; i--) {
    const stored = await repo.listAncestors((syntactic[i] as ResourceId).key);
    if (stored.length === 0) continue;
    if (stored.length > MAX_CHAIN) throw new ResourceConflictError("the resource tree is too deep or cyclic");
    const above = stored.map((r) => parseResourceId(r.id)).reverse();
    return [...above, ...syntactic.slice(i + 1)];
  }
  return syntactic;
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
