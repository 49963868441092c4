import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageOfArray, pageRequest, pageResponse, Top } from "../../lib/pagination.ts";
import { type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { RoleDefinitionDto, toRoleDefinitionDto } from "./dto.ts";
import { ROLE_DEFINITION_SCOPES } from "./lib/role-definition-scopes.ts";

const Query = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" })),
    /** Exact role name, case-insensitive (`hostpass role definition list --name`). */
    roleName: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

/** `hostpass role definition list`: built-in and custom roles, sorted by name. */
export function registerListRoleDefinitions(app: App, deps: RouteDeps): void {
  for (const template of ROLE_DEFINITION_SCOPES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.get(
    `${template.prefix}/providers/Authorization/roleDefinitions`,
    {
      config: {
        permission: { action: "Authorization/roleDefinitions/read", scope: (r) => scopeOf(template, r) },
      },
      schema: {
        operationId: `RoleDefinitions_List_At${template.name}`,
        tags: ["Authorization"],
        summary: "List role definitions",
        params: scopeParams(template),
        querystring: Query,
        response: { 200: PageOf(RoleDefinitionDto) },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const name = request.query.roleName?.toLowerCase();
      const roles = engine
        .roleDefinitions()
        .filter((d) => name === undefined || d.name.toLowerCase() === name);
      return pageResponse(request, pageOfArray(roles, pageRequest(request.query)), toRoleDefinitionDto);
    },
  );
}
