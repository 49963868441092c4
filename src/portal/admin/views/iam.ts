/** The access-control page's forms: adding a role assignment, and checking someone's access. */
import type { FastifyRequest } from "fastify";
import { queryString } from "../../lib/forms.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";
import type { AdminPage } from "../lib/admin-route.ts";
import type { CheckAccessView, RoleDefinitionView } from "../lib/api-types.ts";
import { linksFor } from "../lib/links.ts";
import { badge } from "./parts.ts";

export interface Candidate {
  readonly id: string;
  readonly kind: string;
  readonly name: string;
  readonly detail: string;
}

const prefixOf = (scope: string) => (scope === "/" ? "/" : scope);

/**
 * Two steps that work without script: choose a role and type part of a name ("Find" reloads the
 * page with matches), then pick one of the matches, or type an exact UPN, object id or app id,
 * and assign.
 */
export function addAssignmentForm(input: {
  readonly page: AdminPage;
  readonly scope: string;
  readonly roles: readonly RoleDefinitionView[];
  readonly role: string | undefined;
  readonly search: string | undefined;
  readonly candidates: readonly Candidate[] | undefined;
}): SafeHtml {
  const { page, scope } = input;
  const chosen = input.role ?? "";
  const roleOptions = input.roles.map(
    (r) =>
      html`<div class="check"><input type="radio" id="role-${r.name}" name="role" value="${r.roleName}" required${chosen === r.roleName ? html` checked` : ""} aria-describedby="role-${r.name}-about"><label for="role-${r.name}"><strong>${r.roleName}</strong> <span id="role-${r.name}-about" class="muted">${r.description}</span></label></div>`,
  );
  const roleChoice =
    roleOptions.length > 0
      ? roleOptions
      : html`<label for="role-name">Role name</label><input id="role-name" name="role" type="text" required value="${chosen}">`;
  const find = html`<form method="get" action="${linksFor(page.base).iam(scope)}#add" class="panel">
<fieldset><legend>1. Role</legend>${roleChoice}</fieldset>
<fieldset><legend>2. Who</legend>
<label for="assignee-search">Search users, groups and service principals</label>
<div class="toolbar"><input id="assignee-search" name="q" type="search" value="${input.search ?? ""}" maxlength="128" autocomplete="off"><button type="submit" class="secondary">Find</button></div>
</fieldset></form>`;
  if (input.search === undefined || input.search === "") {
    return html`<section aria-labelledby="add"><h2 id="add">Add a role assignment</h2>${find}</section>`;
  }
  const matches =
    input.candidates === undefined
      ? html`<p class="muted">You may not search the directory; type an exact name below.</p>`
      : input.candidates.length === 0
        ? html`<p class="muted" data-empty>Nobody matches “${input.search}”.</p>`
        : html`<fieldset><legend>Matches for “${input.search}”</legend>${input.candidates.map(
            (c, i) =>
              html`<div class="check"><input type="radio" id="cand-${String(i)}" name="principal" value="${c.id}"${input.candidates?.length === 1 ? html` checked` : ""}><label for="cand-${String(i)}">${c.name} <span class="muted">${c.kind}${c.detail ? ` · ${c.detail}` : ""}</span></label></div>`,
          )}</fieldset>`;
  const assign = html`<form method="post" action="${page.base}/iam-assign${prefixOf(scope)}" class="panel">${csrfField(page.csrf)}
<input type="hidden" name="role" value="${chosen}">
<p>Role: <strong data-field="chosen-role">${chosen || "none chosen (choose one above)"}</strong></p>
${matches}
<label for="assignee-exact">Or an exact user principal name, object id or app id</label>
<input id="assignee-exact" name="assignee" type="text" maxlength="256" autocomplete="off">
<button type="submit" class="primary">Assign</button>
</form>`;
  return html`<section aria-labelledby="add"><h2 id="add">Add a role assignment</h2>${find}${assign}</section>`;
}

/** What "check access" can ask at a scope: the log-in data actions and the common control actions. */
export function checksFor(scope: string): readonly (readonly [action: string, label: string])[] {
  const scaleSet = /\/virtualMachineScaleSets\/[^/]+$/i.test(scope);
  const login = scaleSet ? "Compute/virtualMachineScaleSets/virtualMachines" : "Compute/virtualMachines";
  return [
    [`${login}/login/action`, "Log in (Virtual Machine User Login)"],
    [`${login}/loginAsAdmin/action`, "Log in as administrator, with sudo"],
    ["Authorization/roleAssignments/write", "Assign roles here"],
    [
      scaleSet ? "Compute/virtualMachineScaleSets/write" : "Compute/virtualMachines/write",
      "Create or change machines",
    ],
    ["Compute/virtualMachines/read", "See machines"],
  ];
}

export function checkAccessForm(
  page: AdminPage,
  scope: string,
  checks: readonly (readonly [string, string])[],
  request: FastifyRequest,
): SafeHtml {
  const assignee = queryString(request, "assignee") ?? "";
  const action = queryString(request, "action") ?? checks[0]?.[0] ?? "";
  return html`<form method="get" action="${linksFor(page.base).iam(scope)}#check" class="panel">
<div class="form-grid">
<label for="check-assignee">User, group or service principal</label><input id="check-assignee" name="assignee" type="text" required maxlength="256" value="${assignee}" aria-describedby="check-hint">
<p id="check-hint" class="muted hint">User principal name, object id or app id.</p>
<label for="check-action">May they</label><select id="check-action" name="action">${checks.map(
    ([value, label]) =>
      html`<option value="${value}"${value === action ? html` selected` : ""}>${label}</option>`,
  )}</select>
</div>
<button type="submit" class="secondary">Check</button>
</form>`;
}

export function checkResult(
  page: AdminPage,
  assignee: string,
  action: string,
  result: CheckAccessView,
  viaName: string | undefined,
): SafeHtml {
  const grant = result.grantedBy;
  const explained =
    grant === undefined
      ? html`<p>${result.reason}</p>`
      : html`<p>Granted by the role <strong data-field="granted-role">${grant.roleName}</strong> assigned at <a href="${linksFor(page.base).iam(grant.scope)}">${grant.scope === "/" ? "the root" : grant.scope}</a>${viaName === undefined ? "" : html` to the group <strong data-field="via-group">${viaName}</strong>, of which they are a member`}.</p><p class="muted">${result.reason}</p>`;
  return html`<div class="panel" data-check-result="${result.allowed ? "allowed" : "denied"}" role="status"><p>${result.allowed ? badge("Allowed", "ok") : badge("Not allowed", "bad")} <strong>${assignee}</strong> · <code>${action}</code></p>${explained}</div>`;
}
