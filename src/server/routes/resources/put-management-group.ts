import { Type } from "@fastify/type-provider-typebox";
import { createManagementGroup } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { NameParam } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ResourceDto, toResourceDto } from "./dto.ts";
import { MANAGEMENT_GROUP } from "./lib/tree-kinds.ts";

const Body = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 90 })),
    /** The parent group's id; the tenant root group when absent. */
    parentId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

/** `hostpass account management-group create`. */
export function registerPutManagementGroup(app: App, deps: RouteDeps): void {
  app.put(
    MANAGEMENT_GROUP.path,
    {
      config: { permission: { action: "Management/managementGroups/write", scope: MANAGEMENT_GROUP.id } },
      schema: {
        operationId: "ManagementGroups_Create",
        tags: ["Resources"],
        summary: "Create a management group",
        params: Type.Object(
          { managementGroupId: NameParam("management group") },
          { additionalProperties: false },
        ),
        body: Body,
        response: { 201: ResourceDto },
      },
    },
    async (request, reply) => {
      request.auditTarget = MANAGEMENT_GROUP.id(request);
      const input = {
        tenantId: principalOf(request).tenantId,
        name: request.params.managementGroupId,
        ...request.body,
      };
      const created = await inChange(request, deps, async (tx, note) => {
        const group = await createManagementGroup(tx.resources, input);
        note(group.id, { displayName: group.displayName, parentId: group.parentId ?? null });
        return group;
      });
      return reply.code(201).send(toResourceDto(created));
    },
  );
}
