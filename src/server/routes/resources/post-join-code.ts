import { Type } from "@fastify/type-provider-typebox";
import { createJoinCode } from "../../../directory/index.ts";
import { getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { HostAgentServices, RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { AGENT_MACHINES } from "./lib/agent-machines.ts";
import { inTenant } from "./lib/in-tenant.ts";

export const JoinCodeDto = Type.Object(
  {
    code: Type.String(),
    expiresAt: Type.String(),
    /** The one line to run on the host. */
    joinCommand: Type.String(),
  },
  { additionalProperties: false },
);

/** `hostpass-agent join --server <public URL> --code <code> [--tls-fingerprint <sha256>]`. */
export function joinCommand(endpoint: ReturnType<HostAgentServices["endpoint"]>, code: string): string {
  const pin = endpoint.fingerprint ? ` --tls-fingerprint ${endpoint.fingerprint}` : "";
  return `hostpass-agent join --server ${endpoint.publicUrl} --code ${code}${pin}`;
}

/**
 * A one-time join code for a machine's host agent (10 minutes, single use, bound to the machine,
 * stored hashed): for VMs and scale-set instances, by whoever may write the machine.
 */
export function registerPostJoinCode(app: App, deps: RouteDeps, host: HostAgentServices): void {
  for (const t of AGENT_MACHINES) {
    app.post(
      `${t.path}/joinCode`,
      {
        config: { permission: { action: `${t.actions}/write`, scope: t.id } },
        schema: {
          operationId: `${t.name}_JoinCode`,
          tags: ["Compute"],
          summary: "Make a one-time join code for the machine's host agent",
          params: t.params,
          response: { 201: JoinCodeDto },
        },
      },
      async (request, reply) => {
        const { tenantId } = principalOf(request);
        const id = t.id(request);
        request.auditTarget = id;
        const made = await inChange(request, deps, async (tx, note) => {
          const machine = inTenant(await getMachine(tx.resources, id), tenantId);
          const out = await createJoinCode(tx.agents, { tenantId, machineId: machine.id, now: host.now() });
          note(machine.id, { expiresAt: out.expiresAt.toISOString() });
          return out;
        });
        return reply.code(201).send({
          code: made.code,
          expiresAt: made.expiresAt.toISOString(),
          joinCommand: joinCommand(host.endpoint(), made.code),
        });
      },
    );
  }
}
