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
  // One catch-up and one group closure for the page, then a map walk per item.
  const decisions = await engine.checkMany(
    actor,
    action,
    items.map((r) => r.id),
  );
  const allowed = decisions.map((d) => d.allowed);
  if (options.within && allowed.some((a) => !a)) {
    const holders = [actor.id, ...(await engine.groupsOf(actor.id))];
    const scopes = engine.scopesAssignedTo(holders).map((s) => s.toLowerCase());
    for (const [i, r] of items.entries()) {
      const prefix = `${r.id.toLowerCase()}/`;
      if (!allowed[i]) allowed[i] = scopes.some((s) => s.startsWith(prefix));
    }
  }
  return items.filter((_, i) => allowed[i]);
}
