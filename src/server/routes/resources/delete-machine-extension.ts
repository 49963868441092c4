import { Type } from "@fastify/type-provider-typebox";
import { getMachine, ResourceNotFoundError, removeExtension } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, MachineExtensionParams, type MachineKind } from "./lib/machine-kinds.ts";

/** `hostpass vm extension delete`. */
export function registerDeleteMachineExtension(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.delete(
    `${kind.path}/extensions/:extensionName`,
    {
      config: { permission: { action: `${kind.actions}/extensions/delete`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}Extensions_Delete`,
        tags: ["Compute"],
        summary: "Remove an extension from a machine",
        params: MachineExtensionParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const machine = inTenant(
        await getMachine(deps.resources, kind.id(request)),
        principalOf(request).tenantId,
      );
      const name = request.params.extensionName;
      request.auditTarget = `${machine.id}/extensions/${name}`;
      await inChange(request, deps, async (tx, note) => {
        if (!(await removeExtension(tx.resources, machine.id, name)))
          throw new ResourceNotFoundError(`extension '${name}' was not found`);
        note(`${machine.id}/extensions/${name}`, { extension: name });
      });
      return reply.code(204).send(null);
    },
  );
}
