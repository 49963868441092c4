import { Type } from "@fastify/type-provider-typebox";
import { getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ExtensionDto, toExtensionDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, type MachineKind, MachineParams } from "./lib/machine-kinds.ts";

/** `hostpass vm extension list`: a machine has a handful, so no paging. */
export function registerListMachineExtensions(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.get(
    `${kind.path}/extensions`,
    {
      config: { permission: { action: `${kind.actions}/extensions/read`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}Extensions_List`,
        tags: ["Compute"],
        summary: "List a machine's extensions with their provisioning state",
        params: MachineParams,
        response: { 200: Type.Object({ value: Type.Array(ExtensionDto) }, { additionalProperties: false }) },
      },
    },
    async (request) => {
      const machine = inTenant(
        await getMachine(deps.resources, kind.id(request)),
        principalOf(request).tenantId,
      );
      return { value: machine.extensions.map(toExtensionDto) };
    },
  );
}
