import type { CliCommand } from "../../../command.ts";
import { assigneeObjectId, type ScopeArgs, scopeOf } from "../../../lib/role-scope.ts";
import { openApi } from "../../../session/api.ts";

export interface RoleAssignmentDto {
  readonly id: string;
  readonly name: string;
  readonly scope: string;
  readonly roleDefinitionId: string;
  readonly roleDefinitionName: string;
  readonly principalId: string;
}

export const roleAssignmentListCommand: CliCommand<ScopeArgs & { assignee?: string; role?: string }> = {
  path: ["role", "assignment", "list"],
  summary: "List the role assignments made at a scope, optionally for one assignee or role.",
  examples: [
    { summary: "Assignments on a VM.", command: "hostpass role assignment list --scope $vm -o table" },
    {
      summary: "One user's assignments on a resource group.",
      command: "hostpass role assignment list -g LinuxVMs --assignee alice@contoso.example",
    },
  ],
  configure(command) {
    command
      .option("--scope <scope>", "scope (default: the subscription, or -g's resource group)")
      .option("-g, --resource-group <name>", "resource group scope")
      .option("--assignee <upn-or-id>", "only this principal's assignments")
      .option("--role <name-or-id>", "only this role's assignments");
  },
  async run(ctx, args) {
    return listAssignments(await openApi(ctx), args);
  },
};

export async function listAssignments(
  api: Awaited<ReturnType<typeof openApi>>,
  args: ScopeArgs & { assignee?: string; role?: string },
): Promise<RoleAssignmentDto[]> {
  const scope = await scopeOf(api, args);
  const principalId = args.assignee ? await assigneeObjectId(api, args.assignee) : undefined;
  const all = await api.list<RoleAssignmentDto>(`${scope}/providers/Authorization/roleAssignments`, {
    principalId,
  });
  const role = args.role?.toLowerCase();
  return all.filter(
    (a) =>
      role === undefined ||
      a.roleDefinitionName.toLowerCase() === role ||
      a.roleDefinitionId.toLowerCase().endsWith(`/${role}`) ||
      a.roleDefinitionId.toLowerCase() === role,
  );
}
