/**
 * A virtual machine's page: address, identity, extensions with their provisioning state (polled
 * while in progress), how to connect, its login activity as a chart, and the actions the user
 * may take (assign the identity, enable directory login).
 */
import type { ResourceId } from "../../../resources/index.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import type { AdminPage } from "../lib/admin-route.ts";
import { type ExtensionView, FINAL_STATES, type ListOf, type MachineView } from "../lib/api-types.ts";
import { linksFor } from "../lib/links.ts";
import { activityChart, bucketize, type TimedEvent } from "../views/chart.ts";
import { actionButton, badge, copyable, facts, table, time } from "../views/parts.ts";
import { crumbsFor } from "../views/resources.ts";

const DAY = 86_400_000;

export function isLoginExtension(e: ExtensionView): boolean {
  return /^(aad)?sshloginforlinux$/i.test(e.type);
}

export function stateBadge(state: string): SafeHtml {
  const tone =
    state === "Succeeded" ? "ok" : state === "Failed" ? "bad" : FINAL_STATES.has(state) ? "neutral" : "warn";
  return badge(state, tone);
}

export async function machinePage(page: AdminPage, id: ResourceId): Promise<string> {
  const links = linksFor(page.base);
  const [machine, canWrite, canExtend] = await Promise.all([
    page.api.get<MachineView>(id.id),
    page.api.can("Compute/virtualMachines/write", id.id),
    page.api.can("Compute/virtualMachines/extensions/write", id.id),
  ]);
  const login = machine.extensions.find(isLoginExtension);
  const pending = machine.extensions.some((e) => !FINAL_STATES.has(e.provisioningState));
  const address = machine.privateIps || machine.publicIps;
  const about = facts([
    ["Private address", machine.privateIps || "none yet"],
    ["Public address", machine.publicIps || "none"],
    ["Image", machine.image],
    ["Size", machine.size],
    ["Administrator user name", machine.adminUsername],
    [
      "Identity",
      machine.identity === undefined
        ? html`${badge("None")} <span class="muted">Directory login needs a system-assigned managed identity.</span>`
        : html`System assigned <code>${machine.identity.principalId}</code>`,
    ],
    [
      "Agent",
      html`${machine.agentStatus}${machine.lastHeartbeatAt ? html` · last seen ${time(machine.lastHeartbeatAt)}` : ""}`,
    ],
    ["Resource id", html`<code>${machine.id}</code>`],
  ]);
  const actions: SafeHtml[] = [];
  if (canWrite && machine.identity === undefined) {
    actions.push(
      actionButton(page.csrf, `${page.base}/assign-identity${machine.id}`, "Assign managed identity"),
    );
  }
  if (canExtend && (login === undefined || login.provisioningState === "Failed")) {
    actions.push(
      actionButton(
        page.csrf,
        `${page.base}/enable-login${machine.id}`,
        "Enable login with directory identity",
        {},
        "primary",
      ),
    );
  }
  // The host's agent is not connected: the one-line join command for a host this service did not
  // start (a local machine's agent is joined by the provider itself, within seconds of its start).
  const join =
    canWrite && machine.agentStatus !== "ready"
      ? html`<section aria-labelledby="join"><h2 id="join">Join the host</h2>
<p>Install <code>hostpass-agent</code> on the machine, then run the join command there as root. The code in it works once, for 10 minutes.</p>
<div class="toolbar">${actionButton(page.csrf, `${page.base}/join-code${machine.id}`, "Make a join command")}</div></section>`
      : html``;
  const progress = pending
    ? html`<div class="panel progress" data-progress="${page.base}/status${machine.id}" role="status"><span>Provisioning: <strong data-state>${machine.extensions.find((e) => !FINAL_STATES.has(e.provisioningState))?.provisioningState ?? ""}</strong></span><span class="muted">This page updates by itself.</span></div>`
    : html``;
  const failed = machine.extensions.filter((e) => e.provisioningState === "Failed");
  const failures = failed.map(
    (e) =>
      html`<p class="alert error" role="alert" data-extension-failed="${e.name}">${e.name} failed${e.exitCode === undefined ? "" : ` with exit code ${e.exitCode}`}: ${e.message ?? "the host reported a failure."}</p>`,
  );
  const extensions = table(
    "Extensions",
    ["Name", "Publisher", "Version", "State", "Updated"],
    machine.extensions.map((e) => [
      e.name,
      e.publisher,
      e.typeHandlerVersion,
      stateBadge(e.provisioningState),
      time(e.updatedAt),
    ]),
    "No extension enabled.",
  );
  const connect = html`<section aria-labelledby="connect"><h2 id="connect">Connect</h2>
<p>With the role Virtual Machine User Login or Virtual Machine Administrator Login on this machine (or above it):</p>
${copyable("connect-name", `hostpass ssh vm -n ${machine.name} -g ${machine.resourceGroup}`, "Command to connect by name")}
${address ? copyable("connect-ip", `hostpass ssh vm --ip ${address.split(",")[0] ?? ""}`, "Command to connect by address") : html``}
</section>`;
  const chart = page.nav.logs ? await loginChart(page, machine) : html``;
  const body = html`${progress}${failures}${about}
<p><a href="${links.iam(machine.id)}">Access control (IAM)</a> · <a href="${links.iam(machine.id)}#check">Check access</a></p>
${actions.length > 0 ? html`<div class="toolbar">${actions}</div>` : ""}
<section aria-labelledby="ext"><h2 id="ext">Extensions</h2>${extensions}</section>
${join}${connect}${chart}`;
  return page.render("resources", machine.name, body, {
    crumbs: crumbsFor(page.base, id),
    ...(pending ? { refreshSeconds: 3 } : {}),
  });
}

/** Host logins the agent reported for this machine (activity log `Host/login`), last 7 days. */
async function loginChart(page: AdminPage, machine: MachineView): Promise<SafeHtml> {
  const to = page.now();
  const from = to - 7 * DAY;
  const query = new URLSearchParams({
    target: machine.id,
    action: "Host/login",
    from: new Date(from).toISOString(),
    top: "1000",
  });
  const events = await page.api.get<ListOf<TimedEvent>>(
    `/providers/Insights/eventtypes/management/values?${query}`,
  );
  const title = `Logins to ${machine.name}, last 7 days`;
  return html`<section aria-labelledby="activity"><h2 id="activity">Login activity</h2>${activityChart(title, bucketize(events.value, from, to, 28), from, to)}
<p><a href="${page.base}/logs/activity?target=${encodeURIComponent(machine.id)}">All activity for this machine</a></p></section>`;
}
