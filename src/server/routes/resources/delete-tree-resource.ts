import { Type } from "@fastify/type-provider-typebox";
import { deleteResource, requireResource } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { TREE_KINDS, type TreeKind } from "./lib/tree-kinds.ts";
import { treeParams } from "./lib/tree-params.ts";

/** `hostpass group delete` and friends: only empty containers (delete what is inside first). */
export function registerDeleteTreeResource(app: App, deps: RouteDeps): void {
  for (const kind of TREE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: TreeKind): void {
  app.delete(
    kind.path,
    {
      config: { permission: { action: `${kind.actions}/delete`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}s_Delete`,
        tags: ["Resources"],
        summary: `Delete an empty ${kind.kind}`,
        params: treeParams(kind),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const resource = inTenant(
        await requireResource(deps.resources, kind.id(request), kind.kind),
        principalOf(request).tenantId,
      );
      request.auditTarget = resource.id;
      await inChange(request, deps, async (tx, note) => {
        await deleteResource(tx.resources, resource.id);
        note(resource.id, { kind: resource.kind });
      });
      return reply.code(204).send(null);
    },
  );
}
