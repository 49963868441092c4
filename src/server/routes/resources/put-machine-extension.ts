import { Type } from "@fastify/type-provider-typebox";
import { getMachine, isLoginExtension, putExtension } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { ExtensionDto, toExtensionDto } from "./dto.ts";
import { checkExtensionAllowed } from "./lib/extension-rules.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, MachineExtensionParams, type MachineKind } from "./lib/machine-kinds.ts";

const Body = Type.Object(
  {
    publisher: Type.String({ minLength: 1, maxLength: 128 }),
    type: Type.String({ minLength: 1, maxLength: 64 }),
    typeHandlerVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    settings: Type.Optional(
      Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 64 }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `hostpass vm extension set`. The login extension needs the machine's managed identity (409,
 * CLI exit 22) and refuses to sit next to the legacy one (409, exit 23), as the seed does.
 * On a VM whose host agent has joined, a newly enabled login extension is Creating until the
 * agent reports Succeeded or Failed (the CLI follows it); on a machine without a joined agent
 * (nothing would ever report) it is recorded Succeeded when accepted, and an extension enabled
 * again keeps the state it has.
 */
export function registerPutMachineExtension(app: App, deps: RouteDeps): void {
  for (const kind of MACHINE_KINDS) register(app, deps, kind);
}

function register(app: App, deps: RouteDeps, kind: MachineKind): void {
  app.put(
    `${kind.path}/extensions/:extensionName`,
    {
      config: { permission: { action: `${kind.actions}/extensions/write`, scope: kind.id } },
      schema: {
        operationId: `${kind.name}Extensions_CreateOrUpdate`,
        tags: ["Compute"],
        summary: "Enable an extension on a machine",
        params: MachineExtensionParams,
        body: Body,
        response: { 200: ExtensionDto },
      },
    },
    async (request) => {
      const machine = inTenant(
        await getMachine(deps.resources, kind.id(request)),
        principalOf(request).tenantId,
      );
      request.auditTarget = `${machine.id}/extensions/${request.params.extensionName}`;
      const { publisher, type, typeHandlerVersion, settings } = request.body;
      checkExtensionAllowed(machine, type);
      const input = {
        name: request.params.extensionName,
        publisher,
        type,
        version: typeHandlerVersion ?? "1.0",
        settings,
      };
      const extension = await inChange(request, deps, async (tx, note) => {
        const before = machine.extensions.find((e) => e.name.toLowerCase() === input.name.toLowerCase());
        const reported =
          isLoginExtension(type) && (await tx.agents.findCredentialOfMachine(machine.id.toLowerCase()));
        const provisioningState = !reported
          ? ("Succeeded" as const)
          : before && isLoginExtension(before.type)
            ? before.provisioningState
            : ("Creating" as const);
        const put = await putExtension(tx.resources, machine.id, { ...input, provisioningState });
        note(`${machine.id}/extensions/${put.name}`, {
          publisher,
          type,
          version: put.version,
          provisioningState: put.provisioningState,
        });
        return put;
      });
      return toExtensionDto(extension);
    },
  );
}
