/** A scale set's page: its model, identity and extensions, and its instances with their model state. */
import type { ResourceId } from "../../../resources/index.ts";
import { html } from "../../lib/html.ts";
import type { AdminPage } from "../lib/admin-route.ts";
import type { ListOf, MachineView } from "../lib/api-types.ts";
import { linksFor } from "../lib/links.ts";
import { badge, facts, table, time } from "../views/parts.ts";
import { crumbsFor } from "../views/resources.ts";
import { stateBadge } from "./machine-page.ts";

export async function scaleSetPage(page: AdminPage, id: ResourceId): Promise<string> {
  const links = linksFor(page.base);
  const [set, instances] = await Promise.all([
    page.api.get<MachineView>(id.id),
    page.api.get<ListOf<MachineView>>(`${id.id}/virtualMachines?top=1000`),
  ]);
  const about = facts([
    ["Image", set.image],
    ["Size", set.size],
    ["Administrator user name", set.adminUsername],
    [
      "Identity",
      set.identity === undefined
        ? badge("None")
        : html`System assigned <code>${set.identity.principalId}</code>`,
    ],
    ["Model version", String(set.modelVersion)],
    ["Resource id", html`<code>${set.id}</code>`],
  ]);
  const extensions = table(
    "Extensions (scale-set model)",
    ["Name", "Publisher", "State", "Updated"],
    set.extensions.map((e) => [e.name, e.publisher, stateBadge(e.provisioningState), time(e.updatedAt)]),
    "No extension in the model.",
  );
  const rows = instances.value.map((i) => [
    i.name,
    i.privateIps,
    i.latestModelApplied === false ? badge("Old model: upgrade", "warn") : badge("Latest model", "ok"),
    i.agentStatus,
  ]);
  const body = html`${about}<p><a href="${links.iam(set.id)}">Access control (IAM)</a></p>
<section aria-labelledby="ext"><h2 id="ext">Extensions</h2>${extensions}</section>
<section aria-labelledby="inst"><h2 id="inst">Instances</h2>${table("Instances", ["Instance", "Private address", "Model", "Agent"], rows, "No instance yet.")}</section>`;
  return page.render("resources", set.name, body, { crumbs: crumbsFor(page.base, id) });
}
