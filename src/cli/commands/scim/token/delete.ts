import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

/** `hostpass scim token delete`: SCIM provisioning stops (every request is refused) until a new token. */
export const scimTokenDeleteCommand: CliCommand<Record<string, never>> = {
  path: ["scim", "token", "delete"],
  summary: "Delete the tenant's SCIM token: provisioning stops until a new one is created.",
  examples: [{ summary: "Stop SCIM provisioning.", command: "hostpass scim token delete" }],
  confirmation: true,
  configure() {},
  async run(ctx) {
    const api = await openApi(ctx);
    await api.delete("/directory/scim/token");
    return undefined;
  },
};
