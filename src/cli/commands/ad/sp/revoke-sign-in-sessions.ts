import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

/**
 * `hostpass ad sp revoke-sign-in-sessions --id <object id>`: every token the service principal
 * holds is void at once and its valid certificates are revoked; it signs in again with its
 * credential (replace its secret too if that leaked).
 */
export const adSpRevokeSignInSessionsCommand: CliCommand<{ id: string }> = {
  path: ["ad", "sp", "revoke-sign-in-sessions"],
  summary: "End every sign-in session of a service principal: tokens void, certificates revoked.",
  examples: [
    {
      summary: "Void the tokens of an automation account whose runner was compromised.",
      command: "hostpass ad sp revoke-sign-in-sessions --id 00000000-0000-0000-0000-000000000000",
    },
  ],
  confirmation: true,
  configure(command) {
    command.requiredOption("--id <id>", "the service principal's object id");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.post(`/directory/servicePrincipals/${encodeURIComponent(args.id)}/revokeSignInSessions`);
  },
};
