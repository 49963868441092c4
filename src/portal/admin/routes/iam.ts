/**
 * Access control (IAM) on every scope, `/iam/<scope>` (`/iam/` for the root): the role
 * assignments that apply here (inherited ones marked with the scope they come from), adding one
 * (role picker with descriptions, then an assignee search over users, groups and service
 * principals), removing one made here, and "check access" for a principal, explained.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { parseResourceId, type ResourceId } from "../../../resources/index.ts";
import { field, queryString } from "../../lib/forms.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { type AdminPage, adminGet, adminPost, leaveNotice } from "../lib/admin-route.ts";
import { type AdminContext, ApiError, emptyWhenForbidden } from "../lib/api-client.ts";
import type { CheckAccessView, ListOf, RoleAssignmentView, RoleDefinitionView } from "../lib/api-types.ts";
import { idFromPath, linksFor } from "../lib/links.ts";
import { principalNames } from "../lib/principal-names.ts";
import { addAssignmentForm, type Candidate, checkAccessForm, checkResult, checksFor } from "../views/iam.ts";
import { actionButton, badge, table } from "../views/parts.ts";
import { crumbsFor } from "../views/resources.ts";

const scopeOfRequest = (request: FastifyRequest) => {
  const rest = (request.params as { "*"?: string })["*"] ?? "";
  return rest.replace(/^\/+|\/+$/g, "") === "" ? "/" : parseResourceId(idFromPath(rest)).id;
};
const prefixOf = (scope: string) => (scope === "/" ? "" : scope);

export function registerIam(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/iam/*", async (page, request) => {
    const scope = scopeOfRequest(request);
    const [canAssign, canRemove, canRead] = await page.api.canAll([
      ["Authorization/roleAssignments/write", scope],
      ["Authorization/roleAssignments/delete", scope],
      ["Authorization/roleAssignments/read", scope],
    ]);
    if (!canRead)
      throw new ApiError(
        403,
        "ERR_AUTHORIZATION_FAILED",
        "You may not see the role assignments at this scope.",
      );
    const [assignments, roles] = await Promise.all([
      page.api.get<ListOf<RoleAssignmentView>>(
        `${prefixOf(scope)}/providers/Authorization/roleAssignments?$filter=atScope()&top=1000`,
      ),
      roleDefinitions(page, scope),
    ]);
    const names = await principalNames(
      page,
      assignments.value.map((a) => [a.principalId, a.principalType] as const),
    );
    const links = linksFor(page.base);
    const here = (a: RoleAssignmentView) => a.scope.toLowerCase() === scope.toLowerCase();
    const rows = assignments.value.map((a) => [
      a.roleDefinitionName,
      html`${names.get(a.principalId) ?? a.principalId} <span class="muted">${a.principalType}</span>`,
      here(a)
        ? "This resource"
        : html`${badge("Inherited")} from <a href="${links.iam(a.scope)}">${a.scope === "/" ? "the root" : a.scope}</a>`,
      canRemove && here(a)
        ? actionButton(
            page.csrf,
            `${page.base}/iam-remove${prefixOf(scope) || "/"}`,
            "Remove",
            { id: a.name, label: `${a.roleDefinitionName} for ${names.get(a.principalId) ?? a.principalId}` },
            "danger",
            `${a.roleDefinitionName} for ${names.get(a.principalId) ?? a.principalId}`,
          )
        : "",
    ]);
    const role = queryString(request, "role");
    const search = queryString(request, "q")?.trim().slice(0, 128);
    const candidates = canAssign && search ? await findCandidates(page, search) : undefined;
    const check = await runCheck(page, request, scope);
    const body = html`<section aria-labelledby="assignments"><h2 id="assignments">Role assignments</h2>${table(
      "Role assignments that apply here",
      ["Role", "Assigned to", "Scope", ""],
      rows,
      "No role assignment applies here.",
    )}</section>
${canAssign ? addAssignmentForm({ page, scope, roles: roles.value, role, search, candidates }) : html``}
<section aria-labelledby="check"><h2 id="check">Check access</h2>${checkAccessForm(page, scope, checksFor(scope), request)}${check}</section>`;
    return page.render("resources", `Access control (IAM)`, body, { crumbs: crumbs(page, scope) });
  });

  adminPost(app, ctx, "/iam-assign/*", async (page, request, reply) => {
    const scope = scopeOfRequest(request);
    const role = field(request, "role");
    const assignee = field(request, "principal") || field(request, "assignee").trim();
    const back = linksFor(page.base).iam(scope);
    try {
      if (role === "" || assignee === "")
        throw new ApiError(400, "ERR_VALIDATION", "Choose a role and who gets it.");
      const created = await page.api.call<RoleAssignmentView>({
        method: "PUT",
        path: `${prefixOf(scope)}/providers/Authorization/roleAssignments/${randomUUID()}`,
        body: { role, assignee },
      });
      await leaveNotice(ctx, page.api, { tone: "success", text: `${created.roleDefinitionName} assigned.` });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `The role was not assigned: ${error.message}`,
      });
    }
    return reply.redirect(back, 303);
  });

  adminPost(app, ctx, "/iam-remove/*", async (page, request, reply) => {
    const scope = scopeOfRequest(request);
    const id = field(request, "id");
    try {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ApiError(400, "ERR_VALIDATION", "No such role assignment.");
      await page.api.call({
        method: "DELETE",
        path: `${prefixOf(scope)}/providers/Authorization/roleAssignments/${id}`,
      });
      await leaveNotice(ctx, page.api, { tone: "success", text: `Removed: ${field(request, "label")}.` });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `The role assignment was not removed: ${error.message}`,
      });
    }
    return reply.redirect(linksFor(page.base).iam(scope), 303);
  });
}

/** Role definitions are listed at the root and under a subscription (tenant-wide either way). */
async function roleDefinitions(page: AdminPage, scope: string): Promise<ListOf<RoleDefinitionView>> {
  const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? "";
  try {
    return await page.api.get<ListOf<RoleDefinitionView>>(
      `${subscription}/providers/Authorization/roleDefinitions?top=1000`,
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return { value: [] };
    throw error;
  }
}

function crumbs(page: AdminPage, scope: string): [string, string][] {
  if (scope === "/") return [["Resources", `${page.base}/resources`]];
  const id: ResourceId = parseResourceId(scope);
  return [...crumbsFor(page.base, id), [id.name, linksFor(page.base).resource(id.id)]];
}

/** Users, groups and service principals whose name, UPN or app id contains `search` (20 of each). */
async function findCandidates(page: AdminPage, search: string): Promise<Candidate[] | undefined> {
  if (!page.nav.directory) return undefined;
  const q = `search=${encodeURIComponent(search)}&top=20`;
  const [users, groups, apps] = await Promise.all([
    page.api.get<ListOf<{ id: string; displayName: string; userPrincipalName: string }>>(
      `/directory/users?${q}`,
    ),
    page.api
      .get<ListOf<{ id: string; displayName: string }>>(`/directory/groups?${q}`)
      .catch(emptyWhenForbidden),
    page.api
      .get<ListOf<{ id: string; displayName: string; appId: string }>>(`/directory/servicePrincipals?${q}`)
      .catch(emptyWhenForbidden),
  ]);
  return [
    ...users.value.map((u) => ({ id: u.id, kind: "User", name: u.displayName, detail: u.userPrincipalName })),
    ...groups.value.map((g) => ({ id: g.id, kind: "Group", name: g.displayName, detail: "" })),
    ...apps.value.map((s) => ({ id: s.id, kind: "Service principal", name: s.displayName, detail: s.appId })),
  ];
}

/** "Check access" with `?assignee=&action=`: the API's explained answer, with the group by name. */
async function runCheck(page: AdminPage, request: FastifyRequest, scope: string): Promise<SafeHtml> {
  const assignee = queryString(request, "assignee")?.trim();
  const action = queryString(request, "action");
  if (!assignee || !action) return html``;
  try {
    const result = await page.api.call<CheckAccessView>({
      method: "POST",
      path: `${prefixOf(scope)}/providers/Authorization/checkAccess`,
      body: { action, assignee },
    });
    const via = result.grantedBy?.via;
    const names =
      via === undefined ? new Map<string, string>() : await principalNames(page, [[via, "Group"]]);
    return checkResult(
      page,
      assignee,
      action,
      result,
      via === undefined ? undefined : (names.get(via) ?? via),
    );
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return html`<p class="alert error" role="alert">${error.message}</p>`;
  }
}
