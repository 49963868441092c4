/**
 * Conditional access: policies (list; create or edit as the policy document, which the API
 * validates and explains field by field), named locations (a name, trusted or not, address
 * ranges), and "what if" for a chosen principal, address, platform, device and sign-in method.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { field, queryString } from "../../lib/forms.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { type AdminPage, adminGet, adminPost, leaveNotice } from "../lib/admin-route.ts";
import { type AdminContext, ApiError, emptyWhenForbidden } from "../lib/api-client.ts";
import type { ListOf } from "../lib/api-types.ts";
import {
  caTabs,
  locationForm,
  type NamedLocationView,
  type PolicyView,
  policyEditor,
  policyRows,
  type WhatIfResult,
  whatIfForm,
  whatIfResult,
} from "../views/conditional-access.ts";
import { table } from "../views/parts.ts";

const BASE = "/identity/conditionalAccess";
const ID = /^[A-Za-z0-9._-]{1,128}$/;

export function registerConditionalAccess(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/conditional-access", async (page) => {
    const [policies, canWrite] = await Promise.all([
      page.api.get<{ value: PolicyView[] }>(`${BASE}/policies`),
      page.api.can("Directory/conditionalAccess/write", "/"),
    ]);
    const body = html`${caTabs(page.base, "policies")}${canWrite ? html`<p><a class="button" href="${page.base}/conditional-access/policies/new">New policy</a></p>` : ""}
${table("Policies", ["Name", "State", "Applies to", "Grant", "Sign-in frequency"], policyRows(page.base, policies.value), "No policy yet: every sign-in that passes RBAC gets a certificate.")}`;
    return page.render("access", "Conditional access", body);
  });

  adminGet(app, ctx, "/conditional-access/policies/:id", async (page, request) => {
    const id = (request.params as { id: string }).id;
    const [locations, canWrite] = await Promise.all([
      page.api.get<{ value: NamedLocationView[] }>(`${BASE}/namedLocations`),
      page.api.can("Directory/conditionalAccess/write", "/"),
    ]);
    const existing =
      id === "new"
        ? undefined
        : (await page.api.get<{ value: PolicyView[] }>(`${BASE}/policies`)).value.find((p) => p.id === id);
    if (id !== "new" && existing === undefined) throw new ApiError(404, "ERR_NOT_FOUND", "No such policy.");
    const body = html`${caTabs(page.base, "policies")}${policyEditor({ page, policy: existing, locations: locations.value, canWrite })}`;
    return page.render("access", existing?.name ?? "New policy", body, {
      crumbs: [["Conditional access", `${page.base}/conditional-access`]],
    });
  });

  adminPost(app, ctx, "/conditional-access/policies", async (page, request, reply) => {
    const text = field(request, "document");
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
      if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new TypeError("not an object");
    } catch {
      return again(page, reply, text, "The policy is not a JSON object. Check its brackets and quotes.");
    }
    const id = typeof doc.id === "string" && ID.test(doc.id) ? doc.id : undefined;
    if (id === undefined)
      return again(
        page,
        reply,
        text,
        'The policy needs an "id" of letters, digits, dots, dashes or underscores.',
      );
    const { id: _, ...rest } = doc;
    try {
      await page.api.call({ method: "PUT", path: `${BASE}/policies/${id}`, body: rest });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return again(page, reply, text, `The policy was not saved: ${error.message}`);
    }
    await leaveNotice(ctx, page.api, { tone: "success", text: `Policy ${String(doc.name ?? id)} saved.` });
    return reply.redirect(`${page.base}/conditional-access`, 303);
  });

  adminPost(app, ctx, "/conditional-access/policies/:id/delete", async (page, request, reply) => {
    const id = (request.params as { id: string }).id;
    try {
      if (!ID.test(id)) throw new ApiError(404, "ERR_NOT_FOUND", "No such policy.");
      await page.api.call({ method: "DELETE", path: `${BASE}/policies/${id}` });
      await leaveNotice(ctx, page.api, { tone: "success", text: "Policy deleted." });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `The policy was not deleted: ${error.message}`,
      });
    }
    return reply.redirect(`${page.base}/conditional-access`, 303);
  });

  adminGet(app, ctx, "/conditional-access/locations", async (page) => {
    const [locations, canWrite] = await Promise.all([
      page.api.get<{ value: NamedLocationView[] }>(`${BASE}/namedLocations`),
      page.api.can("Directory/conditionalAccess/write", "/"),
    ]);
    const rows = locations.value.map((l) => [
      l.name,
      l.trusted ? "Trusted" : "",
      l.cidrs.join(", "),
      html`<code>${l.id}</code>`,
    ]);
    const body = html`${caTabs(page.base, "locations")}${table("Named locations", ["Name", "Trusted", "Address ranges", "Id"], rows, "No named location yet.")}
${canWrite ? locationForm(page.base, page.csrf) : ""}`;
    return page.render("access", "Named locations", body);
  });

  adminPost(app, ctx, "/conditional-access/locations", async (page, request, reply) => {
    const name = field(request, "name").trim();
    const id =
      name
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 64) || "location";
    const cidrs = field(request, "cidrs")
      .split(/[\s,]+/)
      .filter(Boolean);
    try {
      await page.api.call({
        method: "PUT",
        path: `${BASE}/namedLocations/${id}`,
        body: { name, trusted: field(request, "trusted") === "on", cidrs },
      });
      await leaveNotice(ctx, page.api, { tone: "success", text: `Named location ${name} saved (id ${id}).` });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `The named location was not saved: ${error.message}`,
      });
    }
    return reply.redirect(`${page.base}/conditional-access/locations`, 303);
  });

  adminGet(app, ctx, "/conditional-access/what-if", async (page, request) => {
    const devices = page.nav.directory
      ? await page.api
          .get<ListOf<{ id: string; displayName: string }>>("/directory/devices?top=100")
          .catch(emptyWhenForbidden)
      : { value: [] };
    const result = await whatIf(page, request);
    const body = html`${caTabs(page.base, "what-if")}${whatIfForm(page.base, request, devices.value)}${result}`;
    return page.render("access", "What if", body);
  });
}

async function whatIf(page: AdminPage, request: FastifyRequest): Promise<SafeHtml> {
  const principal = queryString(request, "principal")?.trim();
  const ipAddress = queryString(request, "ip")?.trim();
  if (!principal || !ipAddress) return html``;
  const methods = ["pwd", ...(queryString(request, "mfa") === "on" ? ["mfa"] : [])];
  const deviceId = queryString(request, "device");
  const body = {
    principal,
    ipAddress,
    platform: queryString(request, "platform") || "linux",
    authMethods: methods,
    signInRiskLevel: queryString(request, "risk") || "none",
    ...(deviceId ? { deviceId } : {}),
  };
  try {
    const result = await page.api.call<WhatIfResult>({ method: "POST", path: `${BASE}/evaluate`, body });
    return whatIfResult(result);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
    return html`<p class="alert error" role="alert">${error.message}</p>`;
  }
}

function again(page: AdminPage, reply: import("fastify").FastifyReply, text: string, error: string): string {
  reply.code(400);
  const body = html`${caTabs(page.base, "policies")}<p class="alert error" role="alert">${error}</p>${policyEditor({ page, text, locations: [], canWrite: true })}`;
  return page.render("access", "Edit policy", body, {
    crumbs: [["Conditional access", `${page.base}/conditional-access`]],
  });
}
