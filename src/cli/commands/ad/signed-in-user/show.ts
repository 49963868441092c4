import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

export const adSignedInUserShowCommand: CliCommand = {
  path: ["ad", "signed-in-user", "show"],
  summary: "Show the signed-in user (or service principal) as the directory knows it.",
  examples: [
    { summary: "The signed-in user.", command: "hostpass ad signed-in-user show" },
    {
      summary: "Its object id (seed: --assignee-object-id).",
      command: "hostpass ad signed-in-user show --query id -o tsv",
    },
  ],
  configure() {},
  async run(ctx) {
    return (await openApi(ctx)).get("/directory/me");
  },
};
