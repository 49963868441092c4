import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageRequest, pageResponse, Top } from "../../lib/pagination.ts";
import { SCOPE_TEMPLATES, type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { RoleAssignmentDto, toRoleAssignmentDto } from "./dto.ts";

const Query = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" })),
    /** Only this principal's assignments (an object id). */
    principalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9-]+$" })),
  },
  { additionalProperties: false },
);

/** `hostpass role assignment list --scope <s>`: assignments made exactly at the scope. */
export function registerListRoleAssignments(app: App, deps: RouteDeps): void {
  for (const template of SCOPE_TEMPLATES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.get(
    `${template.prefix}/providers/Authorization/roleAssignments`,
    {
      config: {
        permission: { action: "Authorization/roleAssignments/read", scope: (r) => scopeOf(template, r) },
      },
      schema: {
        operationId: `RoleAssignments_List_At${template.name}`,
        tags: ["Authorization"],
        summary: "List the role assignments made at a scope",
        params: scopeParams(template),
        querystring: Query,
        response: { 200: PageOf(RoleAssignmentDto) },
      },
    },
    async (request) => {
      const engine = await deps.rbac(principalOf(request).tenantId);
      const filter = { scope: scopeOf(template, request), principalId: request.query.principalId };
      const page = await engine.repository.listRoleAssignments(
        engine.tenantId,
        filter,
        pageRequest(request.query),
      );
      return pageResponse(request, page, (a) => toRoleAssignmentDto(engine, a));
    },
  );
}
