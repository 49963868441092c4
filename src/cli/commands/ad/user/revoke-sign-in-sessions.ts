import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

/**
 * `hostpass ad user revoke-sign-in-sessions --id <object id or UPN>`: every token the user holds
 * is void at once (refresh tokens, API and Linux VM Sign-In tokens, browser sessions) and the
 * user's valid certificates are revoked. The user stays enabled and signs in again.
 */
export const adUserRevokeSignInSessionsCommand: CliCommand<{ id: string }> = {
  path: ["ad", "user", "revoke-sign-in-sessions"],
  summary: "End every sign-in session of a user: tokens void, certificates revoked.",
  examples: [
    {
      summary: "A laptop was lost: end everything its owner was signed in with.",
      command: "hostpass ad user revoke-sign-in-sessions --id alice@contoso.example",
    },
  ],
  confirmation: true,
  configure(command) {
    command.requiredOption("--id <id>", "the user's object id or user principal name");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    return api.post(`/directory/users/${encodeURIComponent(args.id)}/revokeSignInSessions`);
  },
};
