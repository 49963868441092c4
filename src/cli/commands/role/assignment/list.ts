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
  readonly principalType: string;
}

/** An assignment as `role assignment list` prints it: with az's `principalName`. */
export interface NamedAssignment extends RoleAssignmentDto {
  /** UPN (user), display name (group), app id (service principal); "" when it cannot be read. */
  readonly principalName: string;
}

interface ListArgs extends ScopeArgs {
  readonly assignee?: string;
  readonly role?: string;
  /** az's `--all`: also the assignments below the scope. */
  readonly all?: boolean;
  /** az's `--include-inherited`: also the assignments above the scope. */
  readonly includeInherited?: boolean;
}

export const roleAssignmentListCommand: CliCommand<ListArgs> = {
  path: ["role", "assignment", "list"],
  summary:
    "List the role assignments made at a scope (--all: and below it; --include-inherited: and above it), optionally for one assignee or role.",
  examples: [
    { summary: "Assignments on a VM.", command: "hostpass role assignment list --scope $vm -o table" },
    {
      summary: "One user's assignments on a resource group.",
      command: "hostpass role assignment list -g LinuxVMs --assignee alice@contoso.example",
    },
    {
      summary: "Every assignment in the subscription: at it and on its groups and machines.",
      command: "hostpass role assignment list --all -o table",
    },
    {
      summary: "Who can act on a VM: assignments at the VM and those it inherits from above.",
      command: "hostpass role assignment list --scope $vm --include-inherited -o table",
    },
  ],
  configure(command) {
    command
      .option("--scope <scope>", "scope (default: the subscription, or -g's resource group)")
      .option("-g, --resource-group <name>", "resource group scope")
      .option("--assignee <upn-or-id>", "only this principal's assignments")
      .option("--role <name-or-id>", "only this role's assignments")
      .option("--all", "also the assignments below the scope (its resource groups, machines, ...)")
      .option("--include-inherited", "also the assignments above the scope, which it inherits");
  },
  tableRows: assignmentRows,
  async run(ctx, args) {
    const api = await openApi(ctx);
    return withPrincipalNames(api, await listAssignments(api, args));
  },
};

/** `-o table`: az's columns (Principal, Role, Scope). */
export function assignmentRows(result: unknown): unknown {
  return (result as NamedAssignment[]).map((a) => ({
    Principal: a.principalName || a.principalId,
    Role: a.roleDefinitionName,
    Scope: a.scope,
  }));
}

type Api = Awaited<ReturnType<typeof openApi>>;

/**
 * az's `principalName`, one directory read per distinct principal (several at a time). A caller
 * who may not read the directory, or a deleted principal, gets "" (the table shows the id).
 */
export async function withPrincipalNames(
  api: Api,
  assignments: readonly RoleAssignmentDto[],
): Promise<NamedAssignment[]> {
  const ids = [...new Map(assignments.map((a) => [a.principalId, a.principalType])).entries()];
  const names = new Map<string, string>();
  const next = ids.values();
  const worker = async () => {
    for (const [id, type] of next) names.set(id, await principalName(api, id, type));
  };
  await Promise.all(Array.from({ length: Math.min(8, ids.length) }, worker));
  return assignments.map((a) => ({ ...a, principalName: names.get(a.principalId) ?? "" }));
}

async function principalName(api: Api, id: string, type: string): Promise<string> {
  const path = encodeURIComponent(id);
  try {
    if (type === "User")
      return ((await api.get(`/directory/users/${path}`)) as { userPrincipalName: string }).userPrincipalName;
    if (type === "Group")
      return ((await api.get(`/directory/groups/${path}`)) as { displayName: string }).displayName;
    if (type === "ServicePrincipal")
      return ((await api.get(`/directory/servicePrincipals/${path}`)) as { appId: string }).appId;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403 && status !== 404) throw error;
  }
  return "";
}

export async function listAssignments(
  api: Awaited<ReturnType<typeof openApi>>,
  args: ListArgs,
): Promise<RoleAssignmentDto[]> {
  const scope = await scopeOf(api, args);
  const principalId = args.assignee ? await assigneeObjectId(api, args.assignee) : undefined;
  const all = await api.list<RoleAssignmentDto>(`${scope}/providers/Authorization/roleAssignments`, {
    principalId,
    ...(args.includeInherited === true ? { $filter: "atScope()" } : {}),
    ...(args.all === true ? { includeBelow: "true" } : {}),
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
