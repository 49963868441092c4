import { Type } from "@fastify/type-provider-typebox";
import type { App } from "../../app.ts";
import type { RouteDeps } from "../../deps.ts";
import { SCOPE_TEMPLATES, type ScopeTemplate, scopeOf, scopeParams } from "../../lib/scopes.ts";
import { principalOf } from "../../plugins/authenticate.ts";
import { actorOf } from "../../plugins/authorize.ts";

const Body = Type.Object(
  {
    /** An action or data action, e.g. `Compute/virtualMachines/login/action`. */
    action: Type.String({ minLength: 1, maxLength: 256, pattern: "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$" }),
    /** Whose access to check (UPN, object id or app id); the caller's own when absent. */
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);

const Result = Type.Object(
  {
    allowed: Type.Boolean(),
    reason: Type.String(),
    grantedBy: Type.Optional(
      Type.Object({
        assignmentId: Type.String(),
        roleDefinitionId: Type.String(),
        roleName: Type.String(),
        scope: Type.String(),
        principalId: Type.String(),
        via: Type.Optional(Type.String()),
      }),
    ),
  },
  { additionalProperties: false },
);

/** `hostpass role check`: may a principal do `action` here, and which assignment says so. */
export function registerPostCheckAccess(app: App, deps: RouteDeps): void {
  for (const template of SCOPE_TEMPLATES) register(app, deps, template);
}

function register(app: App, deps: RouteDeps, template: ScopeTemplate): void {
  app.post(
    `${template.prefix}/providers/Authorization/checkAccess`,
    {
      // Anyone may ask about themselves; asking about someone else needs the right to read
      // role assignments at the scope, because the answer reveals them.
      config: { permission: "self", readOnly: true },
      schema: {
        operationId: `Access_Check_At${template.name}`,
        tags: ["Authorization"],
        summary: "Check whether a principal may perform an action at a scope, with the reason",
        params: scopeParams(template),
        body: Body,
        response: { 200: Result },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const [engine, scope, self] = [await deps.rbac(tenantId), scopeOf(template, request), actorOf(request)];
      const { assignee, action } = request.body;
      if (assignee === undefined) return engine.check(self, action, scope);
      await engine.authorize(self, "Authorization/roleAssignments/read", scope);
      return engine.check(await deps.resolveAssignee(tenantId, assignee), action, scope);
    },
  );
}
