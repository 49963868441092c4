import { Type } from "@fastify/type-provider-typebox";
import { getMachine } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { HostAgentServices, RouteDeps } from "../../deps.ts";
import { ValidationError } from "../../errors.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { AGENT_MACHINES } from "./lib/agent-machines.ts";
import { inTenant } from "./lib/in-tenant.ts";

const Body = Type.Object(
  {
    /** UPNs or object ids (users, service principals). */
    principals: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

const Answer = Type.Object({ linuxNames: Type.Array(Type.String()) }, { additionalProperties: false });

/**
 * `hostpass vm session terminate`: the machine's agent ends every live session of these
 * principals' Linux accounts (202: asked; the agent acts when connected). A principal that
 * still may log in can log in again: remove its role first.
 */
export function registerPostTerminateSessions(app: App, deps: RouteDeps, host: HostAgentServices): void {
  for (const t of AGENT_MACHINES) {
    app.post(
      `${t.path}/terminateSessions`,
      {
        config: { permission: { action: `${t.actions}/terminateSessions/action`, scope: t.id } },
        schema: {
          operationId: `${t.name}_TerminateSessions`,
          tags: ["Compute"],
          summary: "End the live sessions of principals on the machine",
          params: t.params,
          body: Body,
          response: { 202: Answer },
        },
      },
      async (request, reply) => {
        const { tenantId } = principalOf(request);
        const id = t.id(request);
        request.auditTarget = id;
        const linuxNames: string[] = [];
        for (const who of request.body.principals) {
          const resolved = await deps.resolveAssignee(tenantId, who);
          const p = await deps.directory.getPrincipal(tenantId, resolved.id);
          if (p?.kind !== "user" && p?.kind !== "servicePrincipal")
            throw new ValidationError(`'${who}' is not a user or service principal (no Linux account)`);
          if (!linuxNames.includes(p.linuxName)) linuxNames.push(p.linuxName);
        }
        const machineId = await inChange(request, deps, async (tx, note) => {
          const machine = inTenant(await getMachine(tx.resources, id), tenantId);
          note(machine.id, { linuxNames });
          return machine.id;
        });
        await host.channel.terminateSessions(tenantId, machineId, linuxNames);
        return reply.code(202).send({ linuxNames });
      },
    );
  }
}
