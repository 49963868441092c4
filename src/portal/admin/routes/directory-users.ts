/**
 * Directory users: list with search and pages, create (a temporary password the user must
 * replace, generated and shown once when left empty), and per user: enable or disable, reset the
 * password, delete. Every change is one API call; buttons show only for those who may use them.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { field, queryString } from "../../lib/forms.ts";
import { html } from "../../lib/html.ts";
import { change, oneCallAction } from "../lib/actions.ts";
import { adminGet, adminPost } from "../lib/admin-route.ts";
import { type AdminContext, ApiError } from "../lib/api-client.ts";
import type { ListOf, UserView } from "../lib/api-types.ts";
import { linksFor } from "../lib/links.ts";
import { createUserForm, directoryTabs, searchBox } from "../views/directory.ts";
import { actionButton, badge, facts, pager, skipTokenOf, table, time } from "../views/parts.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A password an administrator does not choose: 20 random characters, shown once. */
export function generatedPassword(): string {
  return randomBytes(15).toString("base64url");
}

/** `?search=&skipToken=` of a directory list page, passed on to the API. */
export function listQuery(search: string | undefined, skipToken: string | undefined): string {
  const query = new URLSearchParams({ top: "50" });
  if (search) query.set("search", search);
  if (skipToken) query.set("skipToken", skipToken);
  return query.toString();
}

export function registerDirectoryUsers(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/directory/users", async (page, request) => {
    const search = queryString(request, "search")?.trim().slice(0, 128);
    const [list, canWrite] = await Promise.all([
      page.api.get<ListOf<UserView>>(
        `/directory/users?${listQuery(search, queryString(request, "skipToken"))}`,
      ),
      page.api.can("Directory/users/write", "/"),
    ]);
    const links = linksFor(page.base);
    const rows = list.value.map((u) => [
      html`<a href="${links.user(u.id)}">${u.displayName}</a>`,
      u.userPrincipalName,
      u.accountEnabled ? badge("Enabled", "ok") : badge("Disabled", "bad"),
      html`<code>${u.linuxName}</code>`,
    ]);
    const next = skipTokenOf(list.nextLink);
    const body = html`${directoryTabs(page.base, "users")}${searchBox(`${page.base}/directory/users`, search, "Search users")}
${table("Users", ["Name", "User principal name", "State", "Linux name"], rows, "No user matches.")}
${pager(next === undefined ? undefined : `${page.base}/directory/users?${listQuery(search, next)}`)}
${canWrite ? createUserForm(page.base, page.csrf) : html``}`;
    return page.render("directory", "Users", body);
  });

  adminPost(app, ctx, "/directory/users", async (page, request, reply) => {
    const typed = field(request, "password");
    const password = typed === "" ? generatedPassword() : typed;
    return change(
      ctx,
      page,
      reply,
      `${page.base}/directory/users`,
      async () => {
        const user = await page.api.call<UserView>({
          method: "POST",
          path: "/directory/users",
          body: {
            userPrincipalName: field(request, "userPrincipalName").trim(),
            displayName: field(request, "displayName").trim(),
            password,
            forceChangePasswordNextSignIn: field(request, "forceChange") === "on",
          },
        });
        const secret =
          typed === ""
            ? { label: `Temporary password of ${user.userPrincipalName}.`, value: password }
            : undefined;
        return {
          tone: "success",
          text: `User ${user.userPrincipalName} created.`,
          ...(secret ? { secret } : {}),
        };
      },
      "The user was not created",
    );
  });

  adminGet(app, ctx, "/directory/users/:id", async (page, request) => {
    const { id } = request.params as { id: string };
    if (!UUID.test(id)) throw new ApiError(404, "ERR_NOT_FOUND", "No such user.");
    const [user, canWrite, canRevoke] = await Promise.all([
      page.api.get<UserView>(`/directory/users/${id}`),
      page.api.can("Directory/users/write", "/"),
      page.api.can("Directory/users/revokeSignInSessions/action", "/"),
    ]);
    const action = `${page.base}/directory/users/${id}`;
    const buttons = [
      canWrite
        ? actionButton(
            page.csrf,
            `${action}/enabled`,
            user.accountEnabled ? "Disable sign-in" : "Enable sign-in",
            {
              enabled: user.accountEnabled ? "false" : "true",
            },
          )
        : "",
      canWrite ? actionButton(page.csrf, `${action}/password`, "Reset password") : "",
      canRevoke ? actionButton(page.csrf, `${action}/revoke`, "Revoke sessions") : "",
      canWrite ? actionButton(page.csrf, `${action}/delete`, "Delete user", {}, "danger") : "",
    ];
    const actions = canWrite || canRevoke ? html`<div class="toolbar">${buttons}</div>` : html``;
    const body = html`${directoryTabs(page.base, "users")}${facts([
      ["User principal name", user.userPrincipalName],
      ["State", user.accountEnabled ? badge("Enabled", "ok") : badge("Disabled", "bad")],
      ["Object id", html`<code>${user.id}</code>`],
      ["Linux name", html`<code>${user.linuxName}</code>`],
      ["uid", String(user.uid)],
      ["Created", time(user.createdDateTime)],
    ])}${actions}`;
    return page.render("directory", user.displayName, body, {
      crumbs: [["Users", `${page.base}/directory/users`]],
    });
  });

  oneCallAction(app, ctx, "/directory/users/:id/enabled", (page, request) => {
    const { id } = request.params as { id: string };
    const enabled = field(request, "enabled") === "true";
    return {
      call: { method: "PATCH", path: `/directory/users/${uuid(id)}`, body: { accountEnabled: enabled } },
      to: linksFor(page.base).user(id),
      done: enabled ? "Sign-in enabled." : "Sign-in disabled: the user's sessions and tokens stop working.",
      failure: "Nothing changed",
    };
  });

  adminPost(app, ctx, "/directory/users/:id/password", async (page, request, reply) => {
    const { id } = request.params as { id: string };
    const password = generatedPassword();
    return change(
      ctx,
      page,
      reply,
      linksFor(page.base).user(id),
      async () => {
        await page.api.call({
          method: "PATCH",
          path: `/directory/users/${uuid(id)}`,
          body: { password, forceChangePasswordNextSignIn: true },
        });
        return {
          tone: "success",
          text: "Password reset. The user must choose a new one at the next sign-in.",
          secret: { label: "Temporary password.", value: password },
        };
      },
      "The password was not reset",
    );
  });

  oneCallAction(app, ctx, "/directory/users/:id/revoke", (page, request) => {
    const { id } = request.params as { id: string };
    return {
      call: { method: "POST", path: `/directory/users/${uuid(id)}/revokeSignInSessions` },
      to: linksFor(page.base).user(id),
      done: "Sessions revoked: every token and certificate of the user stops working; they can sign in again.",
      failure: "The sessions were not revoked",
    };
  });

  oneCallAction(app, ctx, "/directory/users/:id/delete", (page, request) => ({
    call: { method: "DELETE", path: `/directory/users/${uuid((request.params as { id: string }).id)}` },
    to: `${page.base}/directory/users`,
    done: "User deleted. Their uid is never given to anyone else.",
    failure: "The user was not deleted",
  }));
}

/** Path ids are object ids only, so a crafted id can never reach another API path. */
export function uuid(id: string): string {
  if (!UUID.test(id)) throw new ApiError(404, "ERR_NOT_FOUND", "No such object.");
  return id;
}
