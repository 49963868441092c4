import type { CliCommand } from "../../command.ts";
import { openSession } from "../../session/context.ts";
import { loadDevice } from "../../session/device.ts";

export const deviceShowCommand: CliCommand = {
  path: ["device", "show"],
  summary: "Show this machine's registered device for the active cloud.",
  examples: [{ summary: "Is this machine registered?", command: "hostpass device show" }],
  configure() {},
  async run(ctx) {
    const session = await openSession(ctx.env);
    const device = await loadDevice(session.dir, session.cloud.name);
    return device ? { id: device.id, cloud: device.cloud } : { registered: false };
  },
};
