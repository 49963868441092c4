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
    /** Also the assignments at every scope below this one (`role assignment list --all`). */
    includeBelow: Type.Optional(Type.Literal("true")),
  },
  { additionalProperties: false },
);

/**
 * `hostpass role assignment list --scope <s>`: assignments made exactly at the scope; with
 * `$filter=atScope()` also those above it (each names its own scope, so inherited ones show);
 * with `includeBelow=true` also those below it (`--all`); with both, above, at and below.
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
      const { principalId, includeBelow } = request.query;
      const above = request.query.$filter === "atScope()";
      if (above || includeBelow === "true") {
        await engine.fresh();
        const scope = scopeOf(template, request);
        const upward = above ? await engine.assignmentsAtOrAbove(scope) : [];
        const downward = includeBelow === "true" ? await engine.assignmentsAtOrBelow(scope) : [];
        // Both lists hold the assignments at the scope itself: once each, above ones first.
        const seen = new Set(upward.map((a) => a.id));
        const all = [...upward, ...downward.filter((a) => !seen.has(a.id))];
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
