import { Type } from "@fastify/type-provider-typebox";
import { addScaleSetInstance, getMachine, scaleSetId } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { startOnHost } from "./lib/machine-host.ts";
import { INSTANCE_PATH, InstanceParams, instanceIdOf } from "./lib/scale-set-instance.ts";

const Body = Type.Object(
  {
    networkInterfaces: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 80 }),
            privateIp: Type.Optional(Type.String({ maxLength: 45 })),
            publicIp: Type.Optional(Type.String({ maxLength: 45 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 8 },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Adds an instance on the scale set's current model (`vmss create --instance-count`); a machine host starts it. */
export function registerPutScaleSetInstance(app: App, deps: RouteDeps): void {
  app.put(
    INSTANCE_PATH,
    {
      config: {
        permission: { action: "Compute/virtualMachineScaleSets/virtualMachines/write", scope: instanceIdOf },
      },
      schema: {
        operationId: "ScaleSetInstances_Create",
        tags: ["Compute"],
        summary: "Add a scale-set instance",
        params: InstanceParams,
        body: Body,
        response: { 201: MachineDto },
      },
    },
    async (request, reply) => {
      const { subscriptionId, resourceGroupName, name, instanceId } = request.params;
      const setId = scaleSetId(subscriptionId, resourceGroupName, name).id;
      inTenant(await getMachine(deps.resources, setId), principalOf(request).tenantId);
      request.auditTarget = instanceIdOf(request);
      const instance = await inChange(request, deps, async (tx, note) => {
        const added = await addScaleSetInstance(tx.resources, {
          scaleSetId: setId,
          instanceId,
          ...request.body,
        });
        note(added.id, { scaleSetId: setId, modelVersion: added.modelVersion });
        return added;
      });
      const started = await startOnHost(request, deps, instance);
      return reply.code(201).send(toMachineDto(started, { started: deps.machineHost !== undefined }));
    },
  );
}
