import type { FastifyRequest } from "fastify";
import type { Resource } from "../../../../resources/index.ts";
import type { RouteDeps } from "../../../deps.ts";
import { principalOf } from "../../../plugins/authenticate.ts";
import { actorOf } from "../../../plugins/authorize.ts";

/**
 * The resources of a page the caller may read, like `az account list` shows only the
 * subscriptions one has a role on. A page may come back shorter than `top`; nextLink still
 * continues where the store stopped. With `within`, a resource also counts as visible when the
 * caller (or a group it is in) holds any role assignment inside it: as in Azure, a user whose
 * only role is on one VM still sees that VM's subscription (so `ssh vm -n -g` can name the VM).
 */
export async function visibleTo<R extends Resource>(
  deps: RouteDeps,
  request: FastifyRequest,
  action: string,
  items: readonly R[],
  options: { within?: boolean } = {},
): Promise<R[]> {
  const { tenantId } = principalOf(request);
  const engine = await deps.rbac(tenantId);
  const actor = actorOf(request);
  const allowed = await Promise.all(
    items.map(async (r) => (await engine.check(actor, action, r.id)).allowed),
  );
  if (options.within && allowed.some((a) => !a)) {
    const scopes = await assignedScopes(deps, tenantId, actor.id);
    for (const [i, r] of items.entries()) {
      const prefix = `${r.id.toLowerCase()}/`;
      if (!allowed[i]) allowed[i] = scopes.some((s) => s.startsWith(prefix));
    }
  }
  return items.filter((_, i) => allowed[i]);
}

/** The scopes (lower case) of every assignment held by the principal or its groups. */
async function assignedScopes(deps: RouteDeps, tenantId: string, principalId: string): Promise<string[]> {
  const engine = await deps.rbac(tenantId);
  const ids = [principalId, ...(await deps.directory.listTransitiveGroups(tenantId, principalId))];
  const scopes: string[] = [];
  for (const id of ids) {
    let cursor: string | undefined;
    do {
      const page = await engine.repository.listRoleAssignments(
        tenantId,
        { principalId: id },
        { limit: 1000, ...(cursor ? { cursor } : {}) },
      );
      scopes.push(...page.items.map((a) => a.scope.toLowerCase()));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }
  return scopes;
}
