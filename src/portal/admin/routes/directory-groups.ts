/**
 * Directory groups: list, create, and per group its members (users, service principals and other
 * groups: nesting) with add (by search) and remove; delete.
 */
import type { FastifyInstance } from "fastify";
import { field, queryString } from "../../lib/forms.ts";
import { html } from "../../lib/html.ts";
import { change, oneCallAction } from "../lib/actions.ts";
import { adminGet, adminPost } from "../lib/admin-route.ts";
import type { AdminContext } from "../lib/api-client.ts";
import type { DirectoryObjectView, GroupView, ListOf } from "../lib/api-types.ts";
import { linksFor } from "../lib/links.ts";
import { createGroupForm, directoryTabs, searchBox } from "../views/directory.ts";
import { actionButton, facts, pager, skipTokenOf, table, time } from "../views/parts.ts";
import { listQuery, uuid } from "./directory-users.ts";

const KIND_LABELS: Readonly<Record<string, string>> = {
  user: "User",
  group: "Group",
  servicePrincipal: "Service principal",
  managedIdentity: "Managed identity",
};

export function registerDirectoryGroups(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/directory/groups", async (page, request) => {
    const search = queryString(request, "search")?.trim().slice(0, 128);
    const [list, canWrite] = await Promise.all([
      page.api.get<ListOf<GroupView>>(
        `/directory/groups?${listQuery(search, queryString(request, "skipToken"))}`,
      ),
      page.api.can("Directory/groups/write", "/"),
    ]);
    const links = linksFor(page.base);
    const rows = list.value.map((g) => [
      html`<a href="${links.group(g.id)}">${g.displayName}</a>`,
      g.description,
      time(g.createdDateTime),
    ]);
    const next = skipTokenOf(list.nextLink);
    const body = html`${directoryTabs(page.base, "groups")}${searchBox(`${page.base}/directory/groups`, search, "Search groups")}
${table("Groups", ["Name", "Description", "Created"], rows, "No group matches.")}
${pager(next === undefined ? undefined : `${page.base}/directory/groups?${listQuery(search, next)}`)}
${canWrite ? createGroupForm(page.base, page.csrf) : html``}`;
    return page.render("directory", "Groups", body);
  });

  adminPost(app, ctx, "/directory/groups", async (page, request, reply) =>
    change(
      ctx,
      page,
      reply,
      `${page.base}/directory/groups`,
      async () => {
        const description = field(request, "description").trim();
        const body = {
          displayName: field(request, "displayName").trim(),
          ...(description ? { description } : {}),
        };
        const group = await page.api.call<GroupView>({ method: "POST", path: "/directory/groups", body });
        return { tone: "success", text: `Group ${group.displayName} created.` };
      },
      "The group was not created",
    ),
  );

  adminGet(app, ctx, "/directory/groups/:id", async (page, request) => {
    const id = uuid((request.params as { id: string }).id);
    const search = queryString(request, "search")?.trim().slice(0, 128);
    const [group, members, canWrite] = await Promise.all([
      page.api.get<GroupView>(`/directory/groups/${id}`),
      page.api.get<ListOf<DirectoryObjectView>>(`/directory/groups/${id}/members?top=1000`),
      page.api.can("Directory/groups/write", "/"),
    ]);
    const links = linksFor(page.base);
    const here = links.group(id);
    const linkTo = (m: DirectoryObjectView) =>
      m.kind === "group"
        ? links.group(m.id)
        : m.kind === "user"
          ? links.user(m.id)
          : m.kind === "servicePrincipal"
            ? links.servicePrincipal(m.id)
            : undefined;
    const rows = members.value.map((m) => {
      const href = linkTo(m);
      return [
        href === undefined ? m.displayName : html`<a href="${href}">${m.displayName}</a>`,
        KIND_LABELS[m.kind] ?? m.kind,
        canWrite
          ? actionButton(
              page.csrf,
              `${here}/remove-member`,
              "Remove",
              { memberId: m.id },
              "danger",
              m.displayName,
            )
          : "",
      ];
    });
    const candidates = canWrite && search ? await findMembers(page.api.get.bind(page.api), search, id) : [];
    const add = canWrite
      ? html`<section aria-labelledby="add-member"><h2 id="add-member">Add members</h2>${searchBox(here, search, "Find users, groups or service principals")}${
          search
            ? table(
                `Matches for ${search}`,
                ["Name", "Type", ""],
                candidates.map((c) => [
                  c.name,
                  c.kind,
                  actionButton(
                    page.csrf,
                    `${here}/add-member`,
                    "Add",
                    { memberId: c.id },
                    "secondary",
                    c.name,
                  ),
                ]),
                "Nobody matches.",
              )
            : html``
        }</section>`
      : html``;
    const body = html`${directoryTabs(page.base, "groups")}${facts([
      ["Description", group.description],
      ["Object id", html`<code>${group.id}</code>`],
      ["Created", time(group.createdDateTime)],
    ])}
<section aria-labelledby="members"><h2 id="members">Members</h2>${table("Members", ["Name", "Type", ""], rows, "No member yet.")}</section>
${add}${canWrite ? html`<div class="toolbar">${actionButton(page.csrf, `${here}/delete`, "Delete group", {}, "danger")}</div>` : ""}`;
    return page.render("directory", group.displayName, body, {
      crumbs: [["Groups", `${page.base}/directory/groups`]],
    });
  });

  for (const [verb, method, done, failure] of [
    ["add-member", "POST", "Member added.", "The member was not added"],
    ["remove-member", "DELETE", "Member removed.", "The member was not removed"],
  ] as const) {
    oneCallAction(app, ctx, `/directory/groups/:id/${verb}`, (page, request) => {
      const id = uuid((request.params as { id: string }).id);
      const memberId = uuid(field(request, "memberId"));
      const call =
        method === "POST"
          ? { method, path: `/directory/groups/${id}/members`, body: { memberId } }
          : { method, path: `/directory/groups/${id}/members/${memberId}` };
      return { call, to: linksFor(page.base).group(id), done, failure };
    });
  }

  oneCallAction(app, ctx, "/directory/groups/:id/delete", (page, request) => ({
    call: { method: "DELETE", path: `/directory/groups/${uuid((request.params as { id: string }).id)}` },
    to: `${page.base}/directory/groups`,
    done: "Group deleted.",
    failure: "The group was not deleted",
  }));
}

interface Found {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

/** Users, groups (not the group itself) and service principals matching `search`. */
async function findMembers(
  get: <T>(path: string) => Promise<T>,
  search: string,
  self: string,
): Promise<Found[]> {
  const q = `search=${encodeURIComponent(search)}&top=20`;
  const [users, groups, apps] = await Promise.all([
    get<ListOf<{ id: string; displayName: string; userPrincipalName: string }>>(`/directory/users?${q}`),
    get<ListOf<{ id: string; displayName: string }>>(`/directory/groups?${q}`),
    get<ListOf<{ id: string; displayName: string }>>(`/directory/servicePrincipals?${q}`),
  ]);
  return [
    ...users.value.map((u) => ({
      id: u.id,
      name: `${u.displayName} (${u.userPrincipalName})`,
      kind: "User",
    })),
    ...groups.value
      .filter((g) => g.id !== self)
      .map((g) => ({ id: g.id, name: g.displayName, kind: "Group" })),
    ...apps.value.map((s) => ({ id: s.id, name: s.displayName, kind: "Service principal" })),
  ];
}
