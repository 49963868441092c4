import type { CliCommand } from "../../../command.ts";
import { resourceGroupOption } from "../../../lib/options.ts";
import { machinePath } from "../../../lib/resource-paths.ts";
import { openApi } from "../../../session/api.ts";

interface Args {
  readonly resourceGroup: string;
  readonly name: string;
  readonly user: readonly string[];
}

/**
 * `hostpass vm session terminate -g G -n VM --user UPN`: the machine's agent ends the live
 * sessions of these principals (revoking a role or disabling a user stops new logins; this ends
 * the ones already open). The service answers with the Linux names whose sessions the agent ends.
 */
export const vmSessionTerminateCommand: CliCommand<Args> = {
  path: ["vm", "session", "terminate"],
  summary: "End the live SSH sessions of users or service principals on a VM.",
  examples: [
    {
      summary: "End a revoked user's open sessions on a machine.",
      command: "hostpass vm session terminate -g LinuxVMs -n myVM --user alice@contoso.example",
    },
    {
      summary: "Several principals at once (UPNs or object ids).",
      command:
        "hostpass vm session terminate -g LinuxVMs -n myVM --user alice@contoso.example 3f2a5c1e-8d3b-4a8e-9c1f-0a2b3c4d5e6f",
    },
  ],
  confirmation: true,
  configure(command) {
    resourceGroupOption(command)
      .requiredOption("-n, --name <name>", "name of the virtual machine")
      .requiredOption(
        "--user <upn-or-object-id...>",
        "whose sessions to end (UPN or object id; several allowed)",
      );
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const path = machinePath("vm", await api.subscriptionId(), args.resourceGroup, args.name);
    return api.post(`${path}/terminateSessions`, { principals: [...args.user] });
  },
};
