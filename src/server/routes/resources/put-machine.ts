import { Type } from "@fastify/type-provider-typebox";
import { createJoinCode } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, Tags, toMachineDto } from "./dto.ts";
import { startOnHost } from "./lib/machine-host.ts";
import { assignMachineIdentity } from "./lib/machine-identity.ts";
import { MACHINE_KINDS, type MachineKind, MachineParams } from "./lib/machine-kinds.ts";
import { joinCommand } from "./post-join-code.ts";

/** A VM registered for a real host also answers the one line that joins its agent (a one-time code). */
const CreatedMachineDto = Type.Object(
  { ...MachineDto.properties, joinCommand: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

const Body = Type.Object(
  {
    location: Type.Optional(Type.String({ maxLength: 32 })),
    image: Type.String({ minLength: 1, maxLength: 128 }),
    adminUsername: Type.String({ minLength: 1, maxLength: 32 }),
    size: Type.Optional(Type.String({ maxLength: 64 })),
    tags: Type.Optional(Tags),
    networkInterfaces: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 80 }),
            privateIp: Type.Optional(Type.String({ maxLength: 45 })),
            publicIp: Type.Optional(Type.String({ maxLength: 45 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 8 },
      ),
    ),
    /** `--generate-ssh-keys` / `--ssh-key-values`: the local administrator's public key. */
    adminSshPublicKey: Type.Optional(Type.String({ minLength: 1, maxLength: 16384 })),
    /** `--assign-identity`: a system-assigned managed identity, needed by the login extension. */
    assignIdentity: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `hostpass vm create` / `hostpass vmss create`: registers the machine; with a machine host (local provider) a VM is also started. */
export function registerPutMachine(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.put(
    kind.path,
    {
      config: { permission: { action: `${kind.actions}/write`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}s_Create`,
        tags: ["Compute"],
        summary: `Create a ${kind.name === "ScaleSet" ? "scale set" : "virtual machine"}`,
        params: MachineParams,
        body: Body,
        response: { 201: CreatedMachineDto },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { subscriptionId, resourceGroupName, name } = request.params;
      const { assignIdentity, ...profile } = request.body;
      request.auditTarget = kind.id(request);
      const joinable = kind.kind === "virtualMachine" && !deps.machineHost ? deps.hostAgents : undefined;
      let join: { code: string } | undefined;
      const machine = await inChange(request, deps, async (tx, note) => {
        const input = { tenantId, subscriptionId, resourceGroup: resourceGroupName, name, ...profile };
        const created = await kind.create(tx.resources, input);
        const done = assignIdentity ? await assignMachineIdentity(tx, tenantId, created.id) : created;
        const { image, adminUsername, size, location } = done;
        note(done.id, { image, adminUsername, size, location, identity: done.identityPrincipalId ?? null });
        if (joinable)
          join = await createJoinCode(tx.agents, { tenantId, machineId: done.id, now: joinable.now() });
        return done;
      });
      const onHost = kind.kind === "virtualMachine" && deps.machineHost !== undefined;
      const started = onHost ? await startOnHost(request, deps, machine) : machine;
      const command = joinable && join ? { joinCommand: joinCommand(joinable.endpoint(), join.code) } : {};
      // The machine host started it (or the request failed): running, though its agent has not
      // connected yet.
      return reply.code(201).send({ ...toMachineDto(started, { started: onHost }), ...command });
    },
  );
}
