import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

/** `hostpass scim token show`: the SCIM URL and the current token's id, hint and creation time. */
export const scimTokenShowCommand: CliCommand<Record<string, never>> = {
  path: ["scim", "token", "show"],
  summary: "Show the SCIM endpoint and the current token's hint (never the token).",
  examples: [{ summary: "Which token is in use, and since when.", command: "hostpass scim token show" }],
  configure() {},
  async run(ctx) {
    const api = await openApi(ctx);
    return api.get("/directory/scim/token");
  },
};
