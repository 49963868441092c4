/**
 * Client devices (`hostpass device register`): a signed-in user registers the device key its CLI
 * holds; an administrator (or an MDM integration) marks a device compliant. Conditional access
 * trusts a device only when the request carries a proof made with that key.
 */
import { Type } from "@fastify/type-provider-typebox";
import { type Device, getDevice, registerDevice, setDeviceCompliant } from "../../../directory/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, PageQuery, pageRequest, pageResponse } from "../../lib/pagination.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { DIRECTORY_SCOPE } from "./dto.ts";

const DeviceDto = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    platform: Type.String(),
    keyThumbprint: Type.String(),
    ownerId: Type.Optional(Type.String()),
    compliant: Type.Boolean(),
  },
  { additionalProperties: false },
);
const toDto = (d: Device) => ({
  id: d.id,
  displayName: d.displayName,
  platform: d.platform,
  keyThumbprint: d.keyThumbprint,
  ...(d.ownerId ? { ownerId: d.ownerId } : {}),
  compliant: d.compliant,
});
const Id = Type.Object({ id: Type.String({ format: "uuid" }) });

export function registerDeviceRoutes(app: App, deps: RouteDeps): void {
  app.post(
    "/directory/devices",
    {
      config: { permission: "self" },
      schema: {
        operationId: "Devices_Register",
        tags: ["Directory"],
        summary: "Register the caller's device key (the device starts non-compliant)",
        body: Type.Object(
          {
            displayName: Type.String({ minLength: 1, maxLength: 256 }),
            platform: Type.String({ maxLength: 16 }),
            publicKey: Type.Object(
              {},
              { additionalProperties: Type.String({ maxLength: 1024 }), maxProperties: 8 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: DeviceDto },
      },
    },
    async (request, reply) => {
      const { tenantId, objectId } = principalOf(request);
      const { displayName, platform, publicKey } = request.body;
      const device = await inChange(request, deps, async (tx, note) => {
        const input = { tenantId, ownerId: objectId, displayName, platform, publicKeyJwk: publicKey };
        const registered = await registerDevice(tx.directory, input);
        const { keyThumbprint } = registered;
        note(`/directory/devices/${registered.id}`, {
          displayName,
          platform: registered.platform,
          keyThumbprint,
        });
        return registered;
      });
      return reply.code(201).send(toDto(device));
    },
  );
  app.get(
    "/directory/devices",
    {
      config: { permission: { action: "Directory/devices/read", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Devices_List",
        tags: ["Directory"],
        summary: "List registered devices",
        querystring: PageQuery,
        response: { 200: PageOf(DeviceDto) },
      },
    },
    async (request) => {
      const page = await deps.directory.listDevices(
        principalOf(request).tenantId,
        pageRequest(request.query),
      );
      return pageResponse(request, page, toDto);
    },
  );
  app.patch(
    "/directory/devices/:id",
    {
      config: { permission: { action: "Directory/devices/write", scope: DIRECTORY_SCOPE } },
      schema: {
        operationId: "Devices_SetCompliance",
        tags: ["Directory"],
        summary: "Mark a device compliant or not",
        params: Id,
        body: Type.Object({ compliant: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: DeviceDto },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      return toDto(
        await inChange(request, deps, async (tx, note) => {
          const before = await getDevice(tx.directory, tenantId, request.params.id);
          await setDeviceCompliant(tx.directory, {
            tenantId,
            deviceId: before.id,
            compliant: request.body.compliant,
          });
          note(`/directory/devices/${before.id}`, {
            changed: { compliant: { from: before.compliant, to: request.body.compliant } },
          });
          return getDevice(tx.directory, tenantId, before.id);
        }),
      );
    },
  );
}
