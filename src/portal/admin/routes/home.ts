/** Home: who is signed in, their tenant and subscriptions, and shortcuts to what they may do. */
import type { FastifyInstance } from "fastify";
import { html } from "../../lib/html.ts";
import { adminGet } from "../lib/admin-route.ts";
import type { AdminContext } from "../lib/api-client.ts";
import { linksFor } from "../lib/links.ts";
import { facts, table } from "../views/parts.ts";

interface Me {
  objectId: string;
  tenantId: string;
  type: string;
  displayName?: string;
  userPrincipalName?: string;
  tenantDisplayName?: string;
}

interface ResourceList {
  value: { id: string; name: string; displayName: string }[];
}

export function registerHome(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/", async (page) => {
    const links = linksFor(page.base);
    const [me, subscriptions] = await Promise.all([
      page.api.get<Me>("/me"),
      page.api.get<ResourceList>("/subscriptions?top=100"),
    ]);
    const shortcuts = [
      html`<li><a href="${page.base}/resources">Browse resources and create machines</a></li>`,
      html`<li><a href="${links.iam("/")}">Access control at the root scope</a></li>`,
      page.nav.directory
        ? html`<li><a href="${page.base}/directory/users">Users and groups</a></li>`
        : html``,
      page.nav.logs ? html`<li><a href="${page.base}/logs/sign-ins">Sign-in logs</a></li>` : html``,
      page.nav.access
        ? html`<li><a href="${page.base}/conditional-access">Conditional access</a></li>`
        : html``,
      html`<li><a href="${page.base}/security">Security info: password, authenticator app, passkeys</a></li>`,
    ];
    const body = html`<section aria-labelledby="who"><h2 id="who">Your account</h2>${facts([
      ["Name", me.displayName],
      ["User principal name", me.userPrincipalName],
      ["Object id", html`<code>${me.objectId}</code>`],
      ["Tenant", me.tenantDisplayName],
      ["Tenant id", html`<code>${me.tenantId}</code>`],
    ])}</section>
<section aria-labelledby="subs"><h2 id="subs">Subscriptions</h2>${table(
      "Subscriptions you can see",
      ["Name", "Subscription id"],
      subscriptions.value.map((s) => [
        html`<a href="${links.resource(s.id)}">${s.displayName || s.name}</a>`,
        html`<code>${s.name}</code>`,
      ]),
      "You have no role on any subscription yet. Ask an administrator for access.",
    )}</section>
<section aria-labelledby="go"><h2 id="go">Shortcuts</h2><ul class="shortcuts">${shortcuts}</ul></section>`;
    return page.render("home", "Home", body);
  });
}
