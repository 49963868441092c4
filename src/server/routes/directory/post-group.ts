import { Type } from "@fastify/type-provider-typebox";
import { createGroup } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE, GroupDto, toGroupDto } from "./dto.ts";

const Body = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

/** `hostpass ad group create`. */
export function registerPostGroup(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/groups",
    {
      config: { permission: { action: "Directory/groups/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Groups_Create",
        tags: ["Directory"],
        summary: "Create a group",
        body: Body,
        response: { 201: GroupDto },
      },
    },
    async (request, reply) => {
      const group = await inChange(request, deps, async (tx, note) => {
        const created = await createGroup(tx.directory, {
          tenantId: principalOf(request).tenantId,
          ...request.body,
        });
        note(created.id, { displayName: created.displayName, description: created.description });
        return created;
      });
      return reply.code(201).send(toGroupDto(group));
    },
  );
}
