/**
 * Browsing the resource tree: management groups and subscriptions, then a page per resource
 * (`/resource/<id>`: a subscription's resource groups, a group's machines and scale sets, a
 * machine, a scale set with its instances). Creating a resource group is a form on its
 * subscription's page, shown only to those who may.
 */
import type { FastifyInstance } from "fastify";
import { parseResourceId, type ResourceId } from "../../../resources/index.ts";
import { field } from "../../lib/forms.ts";
import { html } from "../../lib/html.ts";
import { type AdminPage, adminGet, adminPost, leaveNotice } from "../lib/admin-route.ts";
import { type AdminContext, ApiError, emptyWhenForbidden } from "../lib/api-client.ts";
import type { ListOf, MachineView, ResourceView } from "../lib/api-types.ts";
import { idFromPath, linksFor } from "../lib/links.ts";
import { facts, table, time } from "../views/parts.ts";
import { crumbsFor, resourceGroupForm } from "../views/resources.ts";
import { machinePage } from "./machine-page.ts";
import { scaleSetPage } from "./scale-set-page.ts";

export function registerResources(app: FastifyInstance, ctx: AdminContext): void {
  adminGet(app, ctx, "/resources", async (page) => {
    const links = linksFor(page.base);
    const [groups, subscriptions] = await Promise.all([
      page.api
        .get<ListOf<ResourceView>>("/providers/Management/managementGroups?top=1000")
        .catch(emptyWhenForbidden),
      page.api.get<ListOf<ResourceView>>("/subscriptions?top=1000"),
    ]);
    const body = html`<section aria-labelledby="mgs"><h2 id="mgs">Management groups</h2>${table(
      "Management groups",
      ["Name", "Parent"],
      groups.value.map((g) => [
        html`<a href="${links.resource(g.id)}">${g.displayName || g.name}</a>`,
        g.parentId ?? "—",
      ]),
      "No management group you can see.",
    )}</section>
<section aria-labelledby="subs"><h2 id="subs">Subscriptions</h2>${table(
      "Subscriptions",
      ["Name", "Subscription id", "Management group"],
      subscriptions.value.map((s) => [
        html`<a href="${links.resource(s.id)}">${s.displayName || s.name}</a>`,
        html`<code>${s.name}</code>`,
        s.parentId ?? "",
      ]),
      "You have no role on any subscription yet.",
    )}</section>`;
    return page.render("resources", "Resources", body);
  });

  adminGet(app, ctx, "/resource/*", async (page, request) => {
    const id = parseResourceId(idFromPath((request.params as { "*": string })["*"]));
    if (id.kind === "virtualMachine") return machinePage(page, id);
    if (id.kind === "virtualMachineScaleSet") return scaleSetPage(page, id);
    return treePage(page, id, request.url);
  });

  adminPost(app, ctx, "/create-resource-group/*", async (page, request, reply) => {
    const subscription = parseResourceId(idFromPath((request.params as { "*": string })["*"]));
    const name = field(request, "name").trim();
    const location = field(request, "location").trim() || "local";
    const back = linksFor(page.base).resource(subscription.id);
    try {
      if (subscription.kind !== "subscription" || name === "")
        throw new ApiError(400, "ERR_VALIDATION", "Give the resource group a name.");
      const rg = `${subscription.id}/resourceGroups/${encodeURIComponent(name)}`;
      await page.api.call({ method: "PUT", path: rg, body: { location } });
      await leaveNotice(ctx, page.api, { tone: "success", text: `Resource group ${name} created.` });
      return reply.redirect(linksFor(page.base).resource(`${subscription.id}/resourceGroups/${name}`), 303);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      await leaveNotice(ctx, page.api, {
        tone: "error",
        text: `The resource group was not created: ${error.message}`,
      });
      return reply.redirect(back, 303);
    }
  });
}

/** Management group, subscription or resource group: what it holds, and what one may do there. */
async function treePage(page: AdminPage, id: ResourceId, url: string): Promise<string> {
  const links = linksFor(page.base);
  const resource = await page.api.get<ResourceView>(id.id);
  const about = facts([
    ["Name", resource.displayName || resource.name],
    ["Resource id", html`<code>${resource.id}</code>`],
    ["Location", resource.location],
    ["Created", time(resource.createdAt)],
  ]);
  const iam = html`<p><a href="${links.iam(id.id)}">Access control (IAM)</a></p>`;
  let contents = html``;
  if (id.kind === "subscription") {
    const [groups, canCreate] = await Promise.all([
      page.api.get<ListOf<ResourceView>>(`${id.id}/resourceGroups?top=1000`),
      page.api.can("Resources/subscriptions/resourceGroups/write", id.id),
    ]);
    contents = html`<section aria-labelledby="rgs"><h2 id="rgs">Resource groups</h2>${table(
      "Resource groups",
      ["Name", "Location", "Created"],
      groups.value.map((g) => [
        html`<a href="${links.resource(g.id)}">${g.name}</a>`,
        g.location,
        time(g.createdAt),
      ]),
      "No resource group yet.",
    )}${canCreate ? resourceGroupForm(page.base, page.csrf, id.id) : html``}</section>`;
  } else if (id.kind === "resourceGroup") {
    const [machines, scaleSets, canCreate] = await Promise.all([
      page.api.get<ListOf<MachineView>>(`${id.id}/providers/Compute/virtualMachines?top=1000`),
      page.api.get<ListOf<MachineView>>(`${id.id}/providers/Compute/virtualMachineScaleSets?top=1000`),
      page.api.can("Compute/virtualMachines/write", id.id),
    ]);
    const login = (m: MachineView) =>
      m.extensions.find((e) => /sshloginforlinux$/i.test(e.type))?.provisioningState ?? "Off";
    contents = html`<section aria-labelledby="vms"><h2 id="vms">Virtual machines</h2>${
      canCreate
        ? html`<p><a class="button" href="${page.base}/create-machine${encodeURI(id.id)}">Create a virtual machine</a></p>`
        : html``
    }${table(
      "Virtual machines",
      ["Name", "Private address", "Image", "Directory login", "Agent"],
      machines.value.map((m) => [
        html`<a href="${links.resource(m.id)}">${m.name}</a>`,
        m.privateIps,
        m.image,
        login(m),
        m.agentStatus,
      ]),
      "No virtual machine yet.",
    )}</section>
<section aria-labelledby="vmss"><h2 id="vmss">Scale sets</h2>${table(
      "Scale sets",
      ["Name", "Image", "Model version", "Directory login"],
      scaleSets.value.map((m) => [
        html`<a href="${links.resource(m.id)}">${m.name}</a>`,
        m.image,
        String(m.modelVersion),
        login(m),
      ]),
      "No scale set yet.",
    )}</section>`;
  }
  const title = resource.displayName || resource.name;
  return page.render("resources", title, html`${about}${iam}${contents}`, {
    crumbs: crumbsFor(page.base, id, url),
  });
}
