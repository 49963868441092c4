import { Type } from "@fastify/type-provider-typebox";
import { getMachine, updateScaleSetModel } from "../../../resources/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { MachineDto, toMachineDto } from "./dto.ts";
import { inTenant } from "./lib/in-tenant.ts";
import { MACHINE_KINDS, MachineParams } from "./lib/machine-kinds.ts";

const SCALE_SET = MACHINE_KINDS.find((k) => k.kind === "virtualMachineScaleSet");
const Body = Type.Object(
  {
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    size: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** `hostpass vmss update --image`: a new model; instances then report latestModelApplied=false. */
export function registerPatchScaleSet(app: App, deps: RouteDeps): void {
  const kind = SCALE_SET as NonNullable<typeof SCALE_SET>;
  app.patch(
    kind.path,
    {
      config: { permission: { action: `${kind.actions}/write`, scope: kind.id } },
      schema: {
        operationId: "ScaleSets_Update",
        tags: ["Compute"],
        summary: "Change a scale set's model",
        params: MachineParams,
        body: Body,
        response: { 200: MachineDto },
      },
    },
    async (request) => {
      const id = inTenant(
        await getMachine(deps.resources, kind.id(request)),
        principalOf(request).tenantId,
      ).id;
      request.auditTarget = id;
      const set = await inChange(request, deps, async (tx, note) => {
        const updated = await updateScaleSetModel(tx.resources, id, request.body);
        note(id, { changed: { ...request.body }, modelVersion: updated.modelVersion });
        return updated;
      });
      return toMachineDto(set);
    },
  );
}
