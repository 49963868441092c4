/**
 * Service principals (list, create, new client secret shown once, delete) and devices (list,
 * mark compliant or not, which device-compliance policies rely on).
 */
import type { FastifyInstance } from "fastify";
import { field, queryString } from "../../lib/forms.ts";
import { html } from "../../lib/html.ts";
import { change, oneCallAction } from "../lib/actions.ts";
import { adminGet, adminPost } from "../lib/admin-route.ts";
import type { AdminContext } from "../lib/api-client.ts";
import type { ListOf, ServicePrincipalView } from "../lib/api-types.ts";
import { linksFor } from "../lib/links.ts";
import { createServicePrincipalForm, directoryTabs, searchBox } from "../views/directory.ts";
import { actionButton, badge, facts, pager, skipTokenOf, table, time } from "../views/parts.ts";
import { listQuery, uuid } from "./directory-users.ts";

interface DeviceView {
  readonly id: string;
  readonly displayName: string;
  readonly platform: string;
  readonly keyThumbprint: string;
  readonly ownerId?: string;
  readonly compliant: boolean;
}

export function registerDirectoryApps(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/directory/service-principals", async (page, request) => {
    const search = queryString(request, "search")?.trim().slice(0, 128);
    const [list, canWrite] = await Promise.all([
      page.api.get<ListOf<ServicePrincipalView>>(
        `/directory/servicePrincipals?${listQuery(search, queryString(request, "skipToken"))}`,
      ),
      page.api.can("Directory/servicePrincipals/write", "/"),
    ]);
    const links = linksFor(page.base);
    const rows = list.value.map((s) => [
      html`<a href="${links.servicePrincipal(s.id)}">${s.displayName}</a>`,
      html`<code>${s.appId}</code>`,
      s.accountEnabled ? badge("Enabled", "ok") : badge("Disabled", "bad"),
    ]);
    const next = skipTokenOf(list.nextLink);
    const body = html`${directoryTabs(page.base, "service-principals")}${searchBox(`${page.base}/directory/service-principals`, search, "Search service principals")}
${table("Service principals", ["Name", "Application id", "State"], rows, "No service principal matches.")}
${pager(next === undefined ? undefined : `${page.base}/directory/service-principals?${listQuery(search, next)}`)}
${canWrite ? createServicePrincipalForm(page.base, page.csrf) : html``}`;
    return page.render("directory", "Service principals", body);
  });

  adminPost(app, ctx, "/directory/service-principals", async (page, request, reply) =>
    change(
      ctx,
      page,
      reply,
      `${page.base}/directory/service-principals`,
      async () => {
        const body = { displayName: field(request, "displayName").trim() };
        const sp = await page.api.call<ServicePrincipalView>({
          method: "POST",
          path: "/directory/servicePrincipals",
          body,
        });
        return {
          tone: "success",
          text: `Service principal ${sp.displayName} created (application id ${sp.appId}).`,
        };
      },
      "The service principal was not created",
    ),
  );

  adminGet(app, ctx, "/directory/service-principals/:id", async (page, request) => {
    const id = uuid((request.params as { id: string }).id);
    const [sp, canWrite, canRevoke] = await Promise.all([
      page.api.get<ServicePrincipalView>(`/directory/servicePrincipals/${id}`),
      page.api.can("Directory/servicePrincipals/write", "/"),
      page.api.can("Directory/servicePrincipals/revokeSignInSessions/action", "/"),
    ]);
    const here = linksFor(page.base).servicePrincipal(id);
    const buttons = [
      canWrite ? actionButton(page.csrf, `${here}/secret`, "New client secret", {}, "primary") : "",
      canRevoke ? actionButton(page.csrf, `${here}/revoke`, "Revoke sessions") : "",
      canWrite ? actionButton(page.csrf, `${here}/delete`, "Delete", {}, "danger") : "",
    ];
    const actions = canWrite || canRevoke ? html`<div class="toolbar">${buttons}</div>` : html``;
    const body = html`${directoryTabs(page.base, "service-principals")}${facts([
      ["Application id", html`<code>${sp.appId}</code>`],
      ["Object id", html`<code>${sp.id}</code>`],
      ["Linux name", html`<code>${sp.linuxName}</code>`],
      ["State", sp.accountEnabled ? badge("Enabled", "ok") : badge("Disabled", "bad")],
      ["Created", time(sp.createdDateTime)],
    ])}${actions}
<p class="muted">Sign in as it: <code>hostpass login --service-principal -u ${sp.appId} -p &lt;secret&gt; --tenant &lt;tenant&gt;</code></p>`;
    return page.render("directory", sp.displayName, body, {
      crumbs: [["Service principals", `${page.base}/directory/service-principals`]],
    });
  });

  adminPost(app, ctx, "/directory/service-principals/:id/secret", async (page, request, reply) => {
    const id = uuid((request.params as { id: string }).id);
    return change(
      ctx,
      page,
      reply,
      linksFor(page.base).servicePrincipal(id),
      async () => {
        const secret = await page.api.call<{ secretText: string; endDateTime: string }>({
          method: "POST",
          path: `/directory/servicePrincipals/${id}/secrets`,
          body: {},
        });
        return {
          tone: "success",
          text: `New client secret, valid until ${secret.endDateTime}.`,
          secret: { label: "Client secret.", value: secret.secretText },
        };
      },
      "No secret was made",
    );
  });

  oneCallAction(app, ctx, "/directory/service-principals/:id/revoke", (page, request) => {
    const id = uuid((request.params as { id: string }).id);
    return {
      call: { method: "POST", path: `/directory/servicePrincipals/${id}/revokeSignInSessions` },
      to: linksFor(page.base).servicePrincipal(id),
      done: "Sessions revoked: its tokens and certificates stop working.",
      failure: "The sessions were not revoked",
    };
  });

  oneCallAction(app, ctx, "/directory/service-principals/:id/delete", (page, request) => ({
    call: {
      method: "DELETE",
      path: `/directory/servicePrincipals/${uuid((request.params as { id: string }).id)}`,
    },
    to: `${page.base}/directory/service-principals`,
    done: "Service principal deleted.",
    failure: "The service principal was not deleted",
  }));

  adminGet(app, ctx, "/directory/devices", async (page, request) => {
    const [list, canWrite] = await Promise.all([
      page.api.get<ListOf<DeviceView>>(
        `/directory/devices?${listQuery(undefined, queryString(request, "skipToken"))}`,
      ),
      page.api.can("Directory/devices/write", "/"),
    ]);
    const rows = list.value.map((d) => [
      d.displayName,
      d.platform,
      d.compliant ? badge("Compliant", "ok") : badge("Not compliant", "warn"),
      html`<code>${d.keyThumbprint.slice(0, 16)}…</code>`,
      canWrite
        ? actionButton(
            page.csrf,
            `${page.base}/directory/devices/${d.id}/compliance`,
            d.compliant ? "Mark not compliant" : "Mark compliant",
            {
              compliant: d.compliant ? "false" : "true",
            },
          )
        : "",
    ]);
    const next = skipTokenOf(list.nextLink);
    const body = html`${directoryTabs(page.base, "devices")}<p class="muted">Devices appear here after <code>hostpass device register</code> on them.</p>
${table("Devices", ["Name", "Platform", "Compliance", "Key", ""], rows, "No device registered yet.")}
${pager(next === undefined ? undefined : `${page.base}/directory/devices?${listQuery(undefined, next)}`)}`;
    return page.render("directory", "Devices", body);
  });

  oneCallAction(app, ctx, "/directory/devices/:id/compliance", (page, request) => {
    const compliant = field(request, "compliant") === "true";
    return {
      call: {
        method: "PATCH",
        path: `/directory/devices/${uuid((request.params as { id: string }).id)}`,
        body: { compliant },
      },
      to: `${page.base}/directory/devices`,
      done: compliant ? "Marked compliant." : "Marked not compliant.",
      failure: "Nothing changed",
    };
  });
}
