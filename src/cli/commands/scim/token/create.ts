import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

/**
 * `hostpass scim token create`: the tenant's SCIM bearer token, shown this once (the service keeps
 * its SHA-256). Running it again rotates: the old token stops working at once.
 */
export const scimTokenCreateCommand: CliCommand<Record<string, never>> = {
  path: ["scim", "token", "create"],
  summary: "Create (or rotate) the tenant's SCIM bearer token; it is shown once.",
  examples: [
    {
      summary: "Make the token to paste into the identity provider's provisioning settings.",
      command: "hostpass scim token create --query '{url: scimUrl, token: token}'",
    },
  ],
  configure() {},
  async run(ctx) {
    const api = await openApi(ctx);
    return api.post("/directory/scim/token");
  },
};
