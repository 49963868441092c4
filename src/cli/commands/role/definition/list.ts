import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

export interface RoleDefinitionDto {
  readonly id: string;
  readonly name: string;
  readonly roleName: string;
  readonly roleType: string;
}

export const roleDefinitionListCommand: CliCommand<{ name?: string; customRoleOnly?: boolean }> = {
  path: ["role", "definition", "list"],
  summary: "List role definitions (built-in and custom).",
  examples: [
    {
      summary: "The login roles' permissions.",
      command: 'hostpass role definition list --name "Virtual Machine User Login"',
    },
    {
      summary: "Custom roles only, as a table.",
      command: "hostpass role definition list --custom-role-only -o table",
    },
  ],
  configure(command) {
    command
      .option("-n, --name <role-name>", "only the role of this name")
      .option("--custom-role-only", "only custom roles");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const roles = await api.list<RoleDefinitionDto>("/providers/Authorization/roleDefinitions", {
      roleName: args.name,
    });
    return args.customRoleOnly ? roles.filter((r) => r.roleType === "CustomRole") : roles;
  },
};
