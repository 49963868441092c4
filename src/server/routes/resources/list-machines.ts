import { Type } from "@fastify/type-provider-typebox";
import { getMachine, listChildren, resourceGroupId } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { NameParam } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, type MachineKind } from "./lib/machine-kinds.ts";

const Params = Type.Object(
  { subscriptionId: NameParam("subscription id"), resourceGroupName: NameParam("resource group") },
  { additionalProperties: false },
);

/** `hostpass vm list -g <rg>` / `hostpass vmss list -g <rg>`. */
export function registerListMachines(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  const groupOf = (p: { subscriptionId: string; resourceGroupName: string }) =>
    resourceGroupId(p.subscriptionId, p.resourceGroupName).id;
  app.get(
    kind.path.slice(0, kind.path.lastIndexOf("/")),
    {
      config: { permission: { action: `${kind.actions}/read`, scope: (r) => groupOf(r.params as never) } },
      schema: {
        operationId: `${kind.name}s_List`,
        tags: ["Compute"],
        summary: "List the machines of a resource group",
        params: Params,
        querystring: PageQuery,
        response: { 200: PageOf(MachineDto) },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const page = await listChildren(
        deps.resources,
        groupOf(request.params),
        pageRequest(request.query),
        kind.kind,
      );
      const machines = await Promise.all(
        page.items.map(async (r) => inTenant(await getMachine(deps.resources, r.id), tenantId)),
      );
      return pageResponse(request, { items: machines, nextCursor: page.nextCursor }, (m) => toMachineDto(m));
    },
  );
}
