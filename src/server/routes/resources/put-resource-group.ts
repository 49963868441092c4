import { Type } from "@fastify/type-provider-typebox";
import { createResourceGroup } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { NameParam } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, Tags, toResourceDto } from "./dto.ts";
import { RESOURCE_GROUP } from "./lib/tree-kinds.ts";

const Body = Type.Object(
  { location: Type.String({ minLength: 1, maxLength: 32 }), tags: Type.Optional(Tags) },
  { additionalProperties: false },
);

/** `hostpass group create --name LinuxVMs --location local`. */
export function registerPutResourceGroup(app: App, deps: RouteDeps): void {
  app.put(
    RESOURCE_GROUP.path,
    {
      config: {
        permission: { action: "Resources/subscriptions/resourceGroups/write", scope: RESOURCE_GROUP.id },
      },
      schema: {
        operationId: "ResourceGroups_Create",
        tags: ["Resources"],
        summary: "Create a resource group",
        params: Type.Object(
          { subscriptionId: NameParam("subscription id"), resourceGroupName: NameParam("resource group") },
          { additionalProperties: false },
        ),
        body: Body,
        response: { 201: ResourceDto },
      },
    },
    async (request, reply) => {
      request.auditTarget = RESOURCE_GROUP.id(request);
      const { subscriptionId, resourceGroupName } = request.params;
      const input = {
        tenantId: principalOf(request).tenantId,
        subscriptionId,
        name: resourceGroupName,
        ...request.body,
      };
      const created = await inChange(request, deps, async (tx, note) => {
        const group = await createResourceGroup(tx.resources, input);
        note(group.id, { location: group.location, tags: group.tags });
        return group;
      });
      return reply.code(201).send(toResourceDto(created));
    },
  );
}
