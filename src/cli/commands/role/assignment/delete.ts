import type { CliCommand } from "../../../command.ts";
import { CliUsageError, NoMatchError } from "../../../errors.ts";
import { type ScopeArgs, scopePathOf } from "../../../lib/role-scope.ts";
import { openApi } from "../../../session/api.ts";
import { listAssignments } from "./list.ts";

interface Args extends ScopeArgs {
  readonly ids?: string[];
  readonly assignee?: string;
  readonly role?: string;
}

export const roleAssignmentDeleteCommand: CliCommand<Args> = {
  path: ["role", "assignment", "delete"],
  summary: "Remove role assignments: by id, or every match of --assignee/--role at a scope.",
  examples: [
    {
      summary: "Take away a user's admin login on a VM.",
      command:
        'hostpass role assignment delete --assignee alice@contoso.example --role "Virtual Machine Administrator Login" --scope $vm',
    },
    {
      summary: "Remove assignments by id.",
      command: "hostpass role assignment delete --ids <assignment-id>",
    },
  ],
  confirmation: true,
  configure(command) {
    command
      .option("--ids <id...>", "role assignment ids")
      .option("--scope <scope>", "scope (default: the subscription, or -g's resource group)")
      .option("-g, --resource-group <name>", "resource group scope")
      .option("--assignee <upn-or-id>", "the assignee whose assignments go")
      .option("--role <name-or-id>", "the role whose assignments go");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    if (args.ids) {
      if (args.assignee || args.role || args.scope || args.resourceGroup)
        throw new CliUsageError("--ids cannot be combined with --assignee, --role, --scope or -g");
      for (const id of args.ids) await api.delete(scopePathOf(id));
      return undefined;
    }
    if (!args.assignee && !args.role) throw new CliUsageError("give --ids, or --assignee and/or --role");
    const matches = await listAssignments(api, args);
    if (matches.length === 0) throw new NoMatchError("No matched assignments were found to delete.");
    for (const a of matches) await api.delete(scopePathOf(a.id));
    return undefined;
  },
};
