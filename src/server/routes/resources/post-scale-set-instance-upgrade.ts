import { getMachine, upgradeScaleSetInstance } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { INSTANCE_PATH, InstanceParams, instanceIdOf } from "./lib/scale-set-instance.ts";

/** `hostpass vmss update-instances`: brings an instance to the scale set's current model. */
export function registerPostScaleSetInstanceUpgrade(app: App, deps: RouteDeps): void {
  app.post(
    `${INSTANCE_PATH}/upgrade`,
    {
      config: {
        permission: { action: "Compute/virtualMachineScaleSets/manualUpgrade/action", scope: instanceIdOf },
      },
      schema: {
        operationId: "ScaleSetInstances_Upgrade",
        tags: ["Compute"],
        summary: "Upgrade an instance to the latest model",
        params: InstanceParams,
        response: { 200: MachineDto },
      },
    },
    async (request) => {
      const id = inTenant(
        await getMachine(deps.resources, instanceIdOf(request)),
        principalOf(request).tenantId,
      ).id;
      request.auditTarget = id;
      const instance = await inChange(request, deps, async (tx, note) => {
        const upgraded = await upgradeScaleSetInstance(tx.resources, id);
        note(id, { modelVersion: upgraded.modelVersion });
        return upgraded;
      });
      return toMachineDto(instance);
    },
  );
}
