import { requireResource } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, toResourceDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { TREE_KINDS, type TreeKind } from "./lib/tree-kinds.ts";
import { treeParams } from "./lib/tree-params.ts";

/** `hostpass group show`, `hostpass account show`, `hostpass account management-group show`. */
export function registerGetTreeResource(app: App, deps: RouteDeps): void {
  for (const kind of TREE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: TreeKind): void {
  app.get(
    kind.path,
    {
      config: { permission: { action: `${kind.actions}/read`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}s_Get`,
        tags: ["Resources"],
        summary: `Show a ${kind.kind}`,
        params: treeParams(kind),
        response: { 200: ResourceDto },
      },
    },
    async (request) => {
      const resource = await requireResource(deps.resources, kind.id(request), kind.kind);
      return toResourceDto(inTenant(resource, principalOf(request).tenantId));
    },
  );
}
