import { getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, type MachineKind, MachineParams } from "./lib/machine-kinds.ts";

/** `hostpass vm show` / `hostpass vmss show`. */
export function registerGetMachine(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.get(
    kind.path,
    {
      config: { permission: { action: `${kind.actions}/read`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}s_Get`,
        tags: ["Compute"],
        summary: "Show a machine, with its identity, addresses and extensions",
        params: MachineParams,
        response: { 200: MachineDto },
      },
    },
    async (request) => {
      const machine = inTenant(
        await getMachine(deps.resources, kind.id(request)),
        principalOf(request).tenantId,
      );
      return toMachineDto(machine);
    },
  );
}
