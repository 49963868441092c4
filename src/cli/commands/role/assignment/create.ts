import { randomUUID } from "node:crypto";
import { Option } from "commander";
import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { type ScopeArgs, scopeOf } from "../../../lib/role-scope.ts";
import { openApi } from "../../../session/api.ts";

interface Args extends ScopeArgs {
  readonly role: string;
  readonly assignee?: string;
  readonly assigneeObjectId?: string;
  readonly assigneePrincipalType?: string;
  readonly description?: string;
}

export const roleAssignmentCreateCommand: CliCommand<Args> = {
  path: ["role", "assignment", "create"],
  summary: "Assign a role to a user, group, service principal or managed identity at a scope.",
  examples: [
    {
      summary: "The seed's assignment: admin login on one VM for the signed-in user.",
      command:
        'hostpass role assignment create --role "Virtual Machine Administrator Login" --assignee $username --scope $vm',
    },
    {
      summary: "User login for a service principal on a resource group.",
      command:
        'hostpass role assignment create --role "Virtual Machine User Login" --assignee-object-id <sp-object-id> --assignee-principal-type ServicePrincipal -g LinuxVMs',
    },
  ],
  configure(command) {
    command
      .requiredOption("--role <name-or-id>", "role name or id")
      .addOption(
        new Option("--assignee <upn-or-id>", "a UPN, an object id or an app id").conflicts(
          "assigneeObjectId",
        ),
      )
      .option("--assignee-object-id <id>", "the assignee's object id (when its UPN does not resolve)")
      .addOption(
        new Option("--assignee-principal-type <type>", "checked against the assignee").choices([
          "User",
          "Group",
          "ServicePrincipal",
          "ManagedIdentity",
        ]),
      )
      .option("--scope <scope>", "scope (default: the subscription, or -g's resource group)")
      .option("-g, --resource-group <name>", "resource group scope")
      .option("--description <text>", "why this assignment exists");
  },
  async run(ctx, args) {
    const assignee = args.assignee ?? args.assigneeObjectId;
    if (!assignee) throw new CliUsageError("--assignee or --assignee-object-id is required");
    const api = await openApi(ctx);
    const scope = await scopeOf(api, args);
    if (args.scope === undefined && args.resourceGroup === undefined && !ctx.globals.onlyShowErrors)
      // az says nothing here; a login role on a whole subscription is rarely what a newcomer meant.
      ctx.stderr.write(
        `WARNING: no --scope or -g given: the role applies to the whole subscription (${scope})\n`,
      );
    return api.put(`${scope}/providers/Authorization/roleAssignments/${randomUUID()}`, {
      role: args.role,
      assignee,
      ...(args.description ? { description: args.description } : {}),
      ...(args.assigneePrincipalType ? { principalType: args.assigneePrincipalType } : {}),
    });
  },
};
