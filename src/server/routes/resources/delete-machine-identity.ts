import { getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { removeMachineIdentity } from "./lib/machine-identity.ts";
import { MACHINE_KINDS, type MachineKind, MachineParams } from "./lib/machine-kinds.ts";

/** `hostpass vm identity remove`: logins that rely on the identity stop. */
export function registerDeleteMachineIdentity(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.delete(
    `${kind.path}/identity`,
    {
      config: { permission: { action: `${kind.actions}/write`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}Identity_Remove`,
        tags: ["Compute"],
        summary: "Remove the system-assigned managed identity",
        params: MachineParams,
        response: { 200: MachineDto },
      },
    },
    async (request) => {
      request.auditTarget = kind.id(request);
      const machine = await inChange(request, deps, async (tx, note) => {
        const before = await getMachine(tx.resources, kind.id(request));
        const after = await removeMachineIdentity(tx, principalOf(request).tenantId, before.id);
        note(after.id, { identity: { removed: before.identityPrincipalId ?? null } });
        return after;
      });
      return toMachineDto(machine);
    },
  );
}
