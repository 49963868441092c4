/**
 * `hostpass role definition create --role-definition @role.json`: az's document shape (`Name`,
 * `Actions`, `DataActions`, `AssignableScopes`, ... in PascalCase) or the API's own
 * (`roleName`, `permissions`, `assignableScopes`).
 */
import { randomUUID } from "node:crypto";
import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { readJsonArgument } from "../../../lib/parse.ts";
import { scopePath } from "../../../lib/resource-paths.ts";
import { openApi } from "../../../session/api.ts";

type Doc = Record<string, unknown>;

const list = (doc: Doc, ...keys: string[]): string[] | undefined => {
  for (const key of keys) if (Array.isArray(doc[key])) return (doc[key] as unknown[]).map(String);
  return undefined;
};

/** The API body from either shape. */
export function roleDefinitionBody(doc: Doc): Doc {
  if (typeof doc.roleName === "string") return doc;
  const name = doc.Name ?? doc.name;
  if (typeof name !== "string") throw new CliUsageError("--role-definition: the role needs a Name");
  const scopes = list(doc, "AssignableScopes", "assignableScopes");
  if (!scopes?.length) throw new CliUsageError("--role-definition: AssignableScopes is required");
  return {
    roleName: name,
    ...(typeof (doc.Description ?? doc.description) === "string"
      ? { description: doc.Description ?? doc.description }
      : {}),
    permissions: [
      {
        actions: list(doc, "Actions", "actions") ?? [],
        notActions: list(doc, "NotActions", "notActions") ?? [],
        dataActions: list(doc, "DataActions", "dataActions") ?? [],
        notDataActions: list(doc, "NotDataActions", "notDataActions") ?? [],
      },
    ],
    assignableScopes: scopes.map((s) => scopePath(s) || "/"),
  };
}

export const roleDefinitionCreateCommand: CliCommand<{ roleDefinition: string }> = {
  path: ["role", "definition", "create"],
  summary: "Create a custom role.",
  examples: [
    {
      summary: "A custom role from a file in az's shape.",
      command: "hostpass role definition create --role-definition @vm-operator.json",
    },
    {
      summary: "Inline JSON.",
      command:
        'hostpass role definition create --role-definition \'{"Name": "VM Reader", "Actions": ["Compute/virtualMachines/read"], "AssignableScopes": ["/subscriptions/<id>"]}\'',
    },
  ],
  configure(command) {
    command.requiredOption("--role-definition <json-or-@file>", "the role: JSON, or @file");
  },
  async run(ctx, args) {
    const doc = await readJsonArgument("--role-definition", args.roleDefinition);
    if (doc === null || typeof doc !== "object" || Array.isArray(doc))
      throw new CliUsageError("--role-definition must be a JSON object");
    const api = await openApi(ctx);
    return api.put(
      `/providers/Authorization/roleDefinitions/${randomUUID()}`,
      roleDefinitionBody(doc as Doc),
    );
  },
};
