import type { CliCommand } from "../../../command.ts";
import { NoMatchError } from "../../../errors.ts";
import { openApi } from "../../../session/api.ts";
import type { RoleDefinitionDto } from "./list.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const roleDefinitionDeleteCommand: CliCommand<{ name: string }> = {
  path: ["role", "definition", "delete"],
  summary: "Delete a custom role (it must no longer be assigned).",
  examples: [
    {
      summary: "Delete a custom role by name.",
      command: 'hostpass role definition delete --name "VM Reader"',
    },
  ],
  confirmation: true,
  configure(command) {
    command.requiredOption("-n, --name <name-or-id>", "the role's name or id");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    let id = args.name.slice(args.name.lastIndexOf("/") + 1);
    if (!UUID.test(id)) {
      const [role] = await api.list<RoleDefinitionDto>("/providers/Authorization/roleDefinitions", {
        roleName: args.name,
      });
      if (!role) throw new NoMatchError(`There is no role definition named ${JSON.stringify(args.name)}.`);
      id = role.name;
    }
    await api.delete(`/providers/Authorization/roleDefinitions/${id}`);
    return undefined;
  },
};
