import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { IdentityDto, toMachineDto } from "./dto.ts";
import { assignMachineIdentity } from "./lib/machine-identity.ts";
import { MACHINE_KINDS, type MachineKind, MachineParams } from "./lib/machine-kinds.ts";

/**
 * `hostpass vm identity assign`: returns `{ type, principalId, tenantId }` like az. A machine the
 * local provider runs gets its host agent joined with the identity before the answer.
 */
export function registerPostMachineIdentity(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.post(
    `${kind.path}/identity`,
    {
      config: { permission: { action: `${kind.actions}/write`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}Identity_Assign`,
        tags: ["Compute"],
        summary: "Enable the system-assigned managed identity",
        params: MachineParams,
        response: { 200: IdentityDto },
      },
    },
    async (request) => {
      request.auditTarget = kind.id(request);
      const machine = await inChange(request, deps, async (tx, note) => {
        const assigned = await assignMachineIdentity(tx, principalOf(request).tenantId, kind.id(request));
        note(assigned.id, { identity: { principalId: assigned.identityPrincipalId ?? null } });
        return assigned;
      });
      // With the local provider: its machines' agents join with the identity (after the commit).
      await deps.machineHost?.identityAssigned?.(machine.id);
      return toMachineDto(machine).identity;
    },
  );
}
