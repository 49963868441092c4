import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { PageOf, pageOfArray, pageRequest, pageResponse, Top } from "../../lib/pagination.ts";
import { SCOPE_TEMPLATES, type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { RoleAssignmentDto, toRoleAssignmentDto } from "./dto.ts";

const Query = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: "^[A-Za-z0-9_-]+$" })),
    /** Only this principal's assignments (an object id). */
    principalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9-]+$" })),
    /** Azure's `atScope()`: the assignments at this scope and at every scope above it (inherited). */
    $filter: Type.Optional(Type.Literal("atScope()")),
  },
  { additionalProperties: false },
);

/**
 * `hostpass role assignment list --scope <s>`: assignments made exactly at the scope; with
 * `$filter=atScope()` also those above it (each names its own scope, so inherited ones show).
 */
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
      const { principalId } = request.query;
      if (request.query.$filter === "atScope()") {
        const all = await engine.assignmentsAtOrAbove(scopeOf(template, request));
        const mine =
          principalId === undefined ? all : all.filter((a) => a.principalId === principalId.toLowerCase());
        const page = pageOfArray(mine, pageRequest(request.query));
        return pageResponse(request, page, (a) => toRoleAssignmentDto(engine, a));
      }
      const filter = { scope: scopeOf(template, request), principalId };
      const page = await engine.repository.listRoleAssignments(
        engine.tenantId,
        filter,
        pageRequest(request.query),
      );
      return pageResponse(request, page, (a) => toRoleAssignmentDto(engine, a));
    },
  );
}
