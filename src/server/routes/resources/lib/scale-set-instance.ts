import { Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { scaleSetInstanceId } from "../../../../resources/index.ts";
import { NameParam } from "../../../lib/scopes.ts";

export const INSTANCE_PATH =
  "/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Compute/virtualMachineScaleSets/:name/virtualMachines/:instanceId";

export const InstanceParams = Type.Object(
  {
    subscriptionId: NameParam("subscription id"),
    resourceGroupName: NameParam("resource group"),
    name: NameParam("scale set name"),
    instanceId: Type.String({ pattern: "^(?:0|[1-9][0-9]{0,9})$", description: "instance id" }),
  },
  { additionalProperties: false },
);

interface Params {
  subscriptionId: string;
  resourceGroupName: string;
  name: string;
  instanceId: string;
}

/** The instance's canonical id from the validated params. */
export function instanceIdOf(request: FastifyRequest): string {
  const p = request.params as Params;
  return scaleSetInstanceId(p.subscriptionId, p.resourceGroupName, p.name, p.instanceId).id;
}
