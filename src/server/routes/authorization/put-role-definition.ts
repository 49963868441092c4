import { Type } from "@fastify/type-provider-typebox";
import { planCustomRole } from "../../../rbac/index.ts";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { type ScopeTemplate, scopeParams } from "../../lib/scopes.ts";
import { inChange } from "../../plugins/audit.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { actorOf } from "../../plugins/authorize.ts";
import { GUID, RoleDefinitionDto, toRoleDefinitionDto } from "./dto.ts";
import { ROLE_DEFINITION_SCOPES } from "./lib/role-definition-scopes.ts";

const Patterns = Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 1000 }));
const Body = Type.Object(
  {
    roleName: Type.String({ minLength: 1, maxLength: 512 }),
    description: Type.Optional(Type.String({ maxLength: 2048 })),
    permissions: Type.Array(
      Type.Object(
        { actions: Patterns, notActions: Patterns, dataActions: Patterns, notDataActions: Patterns },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1 },
    ),
    assignableScopes: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
      minItems: 1,
      maxItems: 100,
    }),
  },
  { additionalProperties: false },
);

/** `hostpass role definition create/update`: a custom role under a client-chosen GUID. */
export function registerPutRoleDefinition(app: App, deps: RouteDeps): void {
  for (const template of ROLE_DEFINITION_SCOPES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.put(
    `${template.prefix}/providers/Authorization/roleDefinitions/:roleDefinitionId`,
    {
      config: { permission: "domain" }, // putCustomRole authorises at every assignable scope, old and new
      schema: {
        operationId: `RoleDefinitions_CreateOrUpdate_At${template.name}`,
        tags: ["Authorization"],
        summary: "Create or update a custom role",
        params: scopeParams(template, { roleDefinitionId: GUID }),
        body: Body,
        response: { 200: RoleDefinitionDto },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const id = request.params.roleDefinitionId.toLowerCase();
      const { roleName, description, permissions, assignableScopes } = request.body;
      const input = { name: roleName, description, permissions: permissions[0] ?? {}, assignableScopes };
      const exists = engine.role(id) !== undefined;
      const role = await planCustomRole(
        engine,
        actorOf(request),
        input,
        exists ? { id } : { newId: () => id },
      );
      await inChange(request, deps, async (tx, note) => {
        await tx.rbac.putRoleDefinition(role);
        note(role.id, {
          created: !exists,
          roleName: role.name,
          permissions: role.permissions,
          assignableScopes: role.assignableScopes,
        });
      });
      return toRoleDefinitionDto(role);
    },
  );
}
