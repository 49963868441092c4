import type { FastifyRequest } from "fastify";
import type { Resource } from "../../../../resources/index.ts";
import type { RouteDeps } from "../../../deps.ts";
import { principalOf } from "../../../plugins/authenticate.ts";
import { actorOf } from "../../../plugins/authorize.ts";

/**
 * The resources of a page the caller may read, like `az account list` shows only the
 * subscriptions one has a role on. A page may come back shorter than `top`; nextLink still
 * continues where the store stopped.
 */
export async function visibleTo<R extends Resource>(
  deps: RouteDeps,
  request: FastifyRequest,
  action: string,
  items: readonly R[],
): Promise<R[]> {
  const engine = await deps.rbac(principalOf(request).tenantId);
  const actor = actorOf(request);
  const allowed = await Promise.all(
    items.map(async (r) => (await engine.check(actor, action, r.id)).allowed),
  );
  return items.filter((_, i) => allowed[i]);
}
