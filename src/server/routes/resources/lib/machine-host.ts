import type { FastifyRequest } from "fastify";
import { appendAuditEvent } from "../../../../audit/index.ts";
import {
  deleteMachine,
  listChildren,
  type Machine,
  recordMachineAddress,
  startRegisteredMachine,
} from "../../../../resources/index.ts";
import { publicFailureOf } from "../../../../shared/public-failure.ts";
import type { RouteDeps } from "../../../deps.ts";
import { principalOf } from "../../../plugins/authenticate.ts";
import { removeMachineIdentity } from "./machine-identity.ts";

/**
 * With a machine host (local provider), starts the machine just registered (a VM or a scale-set
 * instance) and records its address. Starting takes a second or so, so it runs after the
 * registration's transaction, never inside one. If it cannot start, the registration (and a VM's
 * identity) is removed again in one transaction that records why in the activity log, so the
 * request either made a running machine or nothing. Without a machine host the machine stays
 * registered, for a real host to join.
 */
export async function startOnHost(
  request: FastifyRequest,
  deps: RouteDeps,
  machine: Machine,
): Promise<Machine> {
  const host = deps.machineHost;
  if (!host) return machine;
  const { tenantId, objectId } = principalOf(request);
  const failed = (source: string) => (error: unknown) => deps.backgroundErrors?.record(source, error);
  try {
    return await startRegisteredMachine(
      machine,
      host,
      (privateIp) =>
        deps.transaction(tenantId, (tx) => recordMachineAddress(tx.resources, machine.id, privateIp)),
      failed("machineHostCleanup"),
    );
  } catch (error) {
    // The identity and the registration go in one transaction with the record of why (a stable
    // code and public reason, never the host's own error text).
    await deps
      .transaction(tenantId, async (tx) => {
        if (machine.kind === "virtualMachine") await removeMachineIdentity(tx, tenantId, machine.id);
        await deleteMachine(tx.resources, machine.id);
        await appendAuditEvent(tx.audit, {
          tenantId,
          actor: objectId,
          action: `${machine.kind === "virtualMachine" ? "Compute/virtualMachines" : "Compute/virtualMachineScaleSets/virtualMachines"}/delete`,
          target: machine.id,
          result: "success",
          correlationId: request.id,
          details: {
            method: request.method,
            rolledBack: "the machine could not be started",
            ...publicFailureOf(error),
          },
        });
      })
      // The roll-back failing leaves the machine registered (nothing half-written: it is one
      // transaction): counted and logged for an operator, and the request still fails with the
      // start's error.
      .catch(failed("machineRollback"));
    throw error;
  }
}

/**
 * The machines a VM or scale set runs on the machine host (a scale set's instances), read before
 * its registration is deleted (the instances go with it); empty without a machine host.
 */
export async function machinesOnHost(deps: RouteDeps, machine: Machine): Promise<string[]> {
  if (!deps.machineHost) return [];
  if (machine.kind !== "virtualMachineScaleSet") return [machine.id];
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listChildren(deps.resources, machine.id, {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

/**
 * Removes machines from the machine host (after their registration is gone, so the delete has
 * happened): a computer that cannot be removed is logged and counted in `GET /health`
 * (`machineHostRemove`), and the provider removes it when it next starts.
 */
export async function removeFromHost(deps: RouteDeps, ids: readonly string[]): Promise<void> {
  for (const id of ids)
    await deps.machineHost
      ?.remove(id)
      .catch((error: unknown) => deps.backgroundErrors?.record("machineHostRemove", error));
}
