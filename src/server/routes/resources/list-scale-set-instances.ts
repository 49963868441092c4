import { getMachine, listChildren } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, MachineParams } from "./lib/machine-kinds.ts";

const SCALE_SET = MACHINE_KINDS.find((k) => k.kind === "virtualMachineScaleSet");

/** `hostpass vmss list-instances`: each with its private IPs and whether it runs the latest model. */
export function registerListScaleSetInstances(app: App, deps: RouteDeps): void {
  const kind = SCALE_SET as NonNullable<typeof SCALE_SET>;
  app.get(
    `${kind.path}/virtualMachines`,
    {
      config: { permission: { action: `${kind.actions}/virtualMachines/read`, scope: kind.id } },
      schema: {
        operationId: "ScaleSetInstances_List",
        tags: ["Compute"],
        summary: "List a scale set's instances",
        params: MachineParams,
        querystring: PageQuery,
        response: { 200: PageOf(MachineDto) },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const set = inTenant(await getMachine(deps.resources, kind.id(request)), tenantId);
      const page = await listChildren(
        deps.resources,
        set.id,
        pageRequest(request.query),
        "virtualMachineScaleSetVm",
      );
      const items = await Promise.all(page.items.map((r) => getMachine(deps.resources, r.id)));
      return pageResponse(request, { items, nextCursor: page.nextCursor }, (m) => toMachineDto(m));
    },
  );
}
