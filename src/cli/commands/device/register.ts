/**
 * `hostpass device register`: this machine's device key for conditional access ("require a
 * compliant device"), on Linux, macOS and Windows alike. An administrator marks it compliant
 * (`PATCH /directory/devices/{id}`).
 */
import { hostname, platform } from "node:os";
import type { CliCommand } from "../../command.ts";
import { openApi } from "../../session/api.ts";
import { newDeviceKey, saveDevice } from "../../session/device.ts";

const PLATFORMS: Record<string, string> = { linux: "linux", darwin: "macos", win32: "windows" };

export const deviceRegisterCommand: CliCommand<{ name?: string }> = {
  path: ["device", "register"],
  summary: "Register this machine's device key with the service (it starts non-compliant).",
  examples: [
    { summary: "Register this machine under its host name.", command: "hostpass device register" },
    { summary: "Register it under another name.", command: "hostpass device register -n alice-laptop" },
  ],
  configure(command) {
    command.option("-n, --name <name>", "display name (default: the host name)");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const { privateKey, publicJwk } = newDeviceKey();
    const device = (await api.post("/directory/devices", {
      displayName: args.name ?? hostname(),
      platform: PLATFORMS[platform()] ?? "other",
      publicKey: publicJwk,
    })) as { id: string };
    await saveDevice(api.session.dir, api.session.cloud.name, device.id, privateKey);
    return device;
  },
};
