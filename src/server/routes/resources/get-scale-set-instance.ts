import { getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { INSTANCE_PATH, InstanceParams, instanceIdOf } from "./lib/scale-set-instance.ts";

/** `hostpass vmss get-instance-view`: the instance, with `latestModelApplied`. */
export function registerGetScaleSetInstance(app: App, deps: RouteDeps): void {
  app.get(
    INSTANCE_PATH,
    {
      config: {
        permission: { action: "Compute/virtualMachineScaleSets/virtualMachines/read", scope: instanceIdOf },
      },
      schema: {
        operationId: "ScaleSetInstances_Get",
        tags: ["Compute"],
        summary: "Show a scale-set instance",
        params: InstanceParams,
        response: { 200: MachineDto },
      },
    },
    async (request) =>
      toMachineDto(
        inTenant(await getMachine(deps.resources, instanceIdOf(request)), principalOf(request).tenantId),
      ),
  );
}
