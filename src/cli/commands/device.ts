/**
 * `hostpass device register|show`: this machine's device key for conditional access ("require a
 * compliant device"), on Linux, macOS and Windows alike. An administrator marks it compliant
 * (`PATCH /directory/devices/{id}`).
 */
import { hostname, platform } from "node:os";
import { MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE } from "../../shared/well-known.ts";
import type { CliCommand } from "../command.ts";
import { accessTokenFor, openSession } from "../session/context.ts";
import { loadDevice, newDeviceKey, saveDevice } from "../session/device.ts";
import { expectOk, http } from "../session/http.ts";

const PLATFORMS: Record<string, string> = { linux: "linux", darwin: "macos", win32: "windows" };

export const deviceRegisterCommand: CliCommand<{ name?: string }> = {
  path: ["device", "register"],
  summary: "Register this machine's device key with the service (it starts non-compliant).",
  configure(command) {
    command.option("-n, --name <name>", "display name (default: the host name)");
  },
  async run(ctx, args) {
    const session = await openSession(ctx.env);
    const { privateKey, publicJwk } = newDeviceKey();
    const token = (await accessTokenFor(session, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE)).access_token;
    const res = await http(`${session.cloud.endpoint}/directory/devices`, {
      json: {
        displayName: args.name ?? hostname(),
        platform: PLATFORMS[platform()] ?? "other",
        publicKey: publicJwk,
      },
      headers: { authorization: `Bearer ${token}` },
      ...(session.cloud.caFile ? { caFile: session.cloud.caFile } : {}),
    });
    const device = expectOk(res, "device registration") as { id: string };
    await saveDevice(session.dir, session.cloud.name, device.id, privateKey);
    return device;
  },
};

export const deviceShowCommand: CliCommand = {
  path: ["device", "show"],
  summary: "Show this machine's registered device for the active cloud.",
  configure() {},
  async run(ctx) {
    const session = await openSession(ctx.env);
    const device = await loadDevice(session.dir, session.cloud.name);
    return device ? { id: device.id, cloud: device.cloud } : { registered: false };
  },
};
