import { Type } from "@fastify/type-provider-typebox";
import { deleteMachine, getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { machinesOnHost, removeFromHost } from "./lib/machine-host.ts";
import { removeMachineIdentity } from "./lib/machine-identity.ts";
import { MACHINE_KINDS, type MachineKind, MachineParams } from "./lib/machine-kinds.ts";

/**
 * `hostpass vm delete` / `vmss delete` (with its instances): the managed identity goes first, so
 * nothing can log in as it afterwards; then its computers, when the service runs them (local
 * provider); then the registration.
 */
export function registerDeleteMachine(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.delete(
    kind.path,
    {
      config: { permission: { action: `${kind.actions}/delete`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}s_Delete`,
        tags: ["Compute"],
        summary: "Delete a machine",
        params: MachineParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const machine = inTenant(await getMachine(deps.resources, kind.id(request)), tenantId);
      const { id } = machine;
      const hosted = await machinesOnHost(deps, machine);
      request.auditTarget = id;
      // One transaction across the directory and the resource tree: the identity and the machine
      // go together or not at all.
      await inChange(request, deps, async (tx, note) => {
        const before = await getMachine(tx.resources, id);
        await removeMachineIdentity(tx, tenantId, id);
        await deleteMachine(tx.resources, id);
        note(id, { identity: before.identityPrincipalId ?? null });
      });
      // Its computers go after the commit: a failure there leaves a machine nobody can log in to
      // (its identity is gone), which the provider removes when it next starts.
      await removeFromHost(deps, hosted);
      return reply.code(204).send(null);
    },
  );
}
