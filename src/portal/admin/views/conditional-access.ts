/** Conditional access pages: tabs, policy summary rows, the policy editor, named locations, what if. */
import type { FastifyRequest } from "fastify";
import { LINUX_VM_SIGN_IN_APP_ID } from "../../../shared/well-known.ts";
import { queryString } from "../../lib/forms.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";
import type { AdminPage } from "../lib/admin-route.ts";
import { actionButton, badge, table } from "./parts.ts";

export interface PolicyView {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly assignments: Readonly<Record<string, { include: unknown; exclude?: unknown }>>;
  readonly grantControls?: { readonly operator: string; readonly controls: readonly string[] };
  readonly sessionControls?: { readonly signInFrequency?: { value: number; unit: string } };
  readonly [field: string]: unknown;
}

export interface NamedLocationView {
  readonly id: string;
  readonly name: string;
  readonly trusted: boolean;
  readonly cidrs: readonly string[];
}

export interface WhatIfResult {
  readonly decision: "grant" | "block" | "challenge";
  readonly missing: readonly string[];
  readonly certificateLifetimeCap?: number;
  readonly platform: string;
  readonly evaluated: readonly {
    policyId: string;
    name: string;
    state: string;
    applied: boolean;
    result: string;
    reason: string;
  }[];
}

type Tab = "policies" | "locations" | "what-if";

export function caTabs(base: string, current: Tab): SafeHtml {
  const tabs: readonly (readonly [Tab, string, string])[] = [
    ["policies", "Policies", "/conditional-access"],
    ["locations", "Named locations", "/conditional-access/locations"],
    ["what-if", "What if", "/conditional-access/what-if"],
  ];
  return html`<nav aria-label="Conditional access" class="tabs"><ul>${tabs.map(
    ([tab, label, href]) =>
      html`<li><a href="${base}${href}"${tab === current ? html` aria-current="page"` : ""}>${label}</a></li>`,
  )}</ul></nav>`;
}

function who(p: PolicyView): string {
  const users = p.assignments.users?.include;
  const parts = [
    users === "All" ? "all users" : Array.isArray(users) && users.length > 0 ? `${users.length} users` : "",
  ];
  const groups = p.assignments.groups?.include;
  if (Array.isArray(groups) && groups.length > 0) parts.push(`${groups.length} groups`);
  const sps = p.assignments.servicePrincipals?.include;
  if (sps === "All" || (Array.isArray(sps) && sps.length > 0))
    parts.push(sps === "All" ? "all service principals" : `${sps.length} service principals`);
  return parts.filter(Boolean).join(", ") || "nobody";
}

export function policyRows(base: string, policies: readonly PolicyView[]): (SafeHtml | string)[][] {
  return policies.map((p) => [
    html`<a href="${base}/conditional-access/policies/${encodeURIComponent(p.id)}">${p.name}</a>`,
    p.state === "enabled"
      ? badge("On", "ok")
      : p.state === "reportOnly"
        ? badge("Report only", "warn")
        : badge("Off"),
    who(p),
    p.grantControls
      ? p.grantControls.controls.join(p.grantControls.operator === "AND" ? " and " : " or ")
      : "",
    p.sessionControls?.signInFrequency
      ? `${p.sessionControls.signInFrequency.value} ${p.sessionControls.signInFrequency.unit}`
      : "",
  ]);
}

/** A new policy starts from the common case: require MFA for Linux VM Sign-In, report only. */
function template(): string {
  return JSON.stringify(
    {
      id: "require-mfa-linux",
      name: "Require MFA for Linux VM Sign-In",
      state: "reportOnly",
      assignments: {
        users: { include: "All", exclude: [] },
        applications: { include: [LINUX_VM_SIGN_IN_APP_ID] },
      },
      conditions: {},
      grantControls: { operator: "OR", controls: ["mfa"] },
    },
    null,
    2,
  );
}

export function policyEditor(input: {
  readonly page: AdminPage;
  readonly policy?: PolicyView;
  readonly text?: string;
  readonly locations: readonly NamedLocationView[];
  readonly canWrite: boolean;
}): SafeHtml {
  const { page } = input;
  const text =
    input.text ?? (input.policy === undefined ? template() : JSON.stringify(input.policy, null, 2));
  const help = html`<details class="panel"><summary>What a policy holds</summary><ul>
<li><code>state</code>: <code>enabled</code>, <code>disabled</code> or <code>reportOnly</code> (evaluated and logged, never enforced).</li>
<li><code>assignments</code>: <code>users</code>, <code>groups</code>, <code>servicePrincipals</code> and <code>applications</code>, each <code>{ "include": "All" | [ids], "exclude": [ids] }</code>. Linux VM Sign-In is <code>${LINUX_VM_SIGN_IN_APP_ID}</code>.</li>
<li><code>conditions</code>: <code>locations</code> (named location ids${input.locations.length > 0 ? html`: ${input.locations.map((l) => html`<code>${l.id}</code> `)}` : ""} or <code>AllTrusted</code>), <code>platforms</code>, <code>signInRiskLevels</code>, <code>devices</code>.</li>
<li><code>grantControls</code>: <code>{ "operator": "AND" | "OR", "controls": ["block" | "mfa" | "compliantDevice"] }</code>; <code>sessionControls.signInFrequency</code>: <code>{ "value": 10, "unit": "minutes" }</code>.</li>
</ul></details>`;
  if (!input.canWrite) return html`${help}<pre class="panel"><code>${text}</code></pre>`;
  const remove =
    input.policy === undefined
      ? html``
      : actionButton(
          page.csrf,
          `${page.base}/conditional-access/policies/${encodeURIComponent(input.policy.id)}/delete`,
          "Delete policy",
          {},
          "danger",
        );
  return html`${help}<form method="post" action="${page.base}/conditional-access/policies" class="panel">${csrfField(page.csrf)}
<label for="policy-document">Policy</label>
<textarea id="policy-document" name="document" spellcheck="false" required aria-describedby="policy-hint">${text}</textarea>
<p id="policy-hint" class="muted">Saved as one document; the service checks every field and names the one that is wrong.</p>
<button type="submit" class="primary">Save policy</button>
</form>${remove}`;
}

export function locationForm(base: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${base}/conditional-access/locations" class="panel"><h2 id="new-location">New named location</h2>${csrfField(csrf)}
<div class="form-grid">
<label for="loc-name">Name</label><input id="loc-name" name="name" type="text" required maxlength="128">
<label for="loc-cidrs">Address ranges</label><textarea id="loc-cidrs" name="cidrs" required aria-describedby="loc-hint"></textarea>
<p id="loc-hint" class="muted hint">One range per line, e.g. 203.0.113.0/24 or 2001:db8::/32.</p>
</div>
<label class="check"><input type="checkbox" name="trusted" value="on"> <span>Trusted location</span></label>
<button type="submit" class="primary">Save</button></form>`;
}

const PLATFORMS = ["linux", "macos", "windows", "ios", "android", "other"];
const RISKS = ["none", "low", "medium", "high"];

export function whatIfForm(
  base: string,
  request: FastifyRequest,
  devices: readonly { id: string; displayName: string }[],
): SafeHtml {
  const q = (name: string) => queryString(request, name) ?? "";
  const select = (values: readonly string[], current: string) =>
    values.map((v) => html`<option value="${v}"${v === current ? html` selected` : ""}>${v}</option>`);
  return html`<form method="get" action="${base}/conditional-access/what-if" class="panel">
<div class="form-grid">
<label for="wi-principal">User or service principal</label><input id="wi-principal" name="principal" type="text" required maxlength="256" value="${q("principal")}" placeholder="UPN, object id or app id">
<label for="wi-ip">Address</label><input id="wi-ip" name="ip" type="text" required maxlength="64" value="${q("ip")}" placeholder="203.0.113.7">
<label for="wi-platform">Platform</label><select id="wi-platform" name="platform">${select(PLATFORMS, q("platform") || "linux")}</select>
<label for="wi-device">Device</label><select id="wi-device" name="device"><option value="">None</option>${devices.map(
    (d) =>
      html`<option value="${d.id}"${d.id === q("device") ? html` selected` : ""}>${d.displayName}</option>`,
  )}</select>
<label for="wi-risk">Sign-in risk</label><select id="wi-risk" name="risk">${select(RISKS, q("risk") || "none")}</select>
</div>
<label class="check"><input type="checkbox" name="mfa" value="on"${q("mfa") === "on" ? html` checked` : ""}> <span>Signed in with a second factor</span></label>
<button type="submit" class="primary">Evaluate</button></form>`;
}

export function whatIfResult(r: WhatIfResult): SafeHtml {
  const decision =
    r.decision === "grant"
      ? badge("Access granted", "ok")
      : r.decision === "block"
        ? badge("Blocked", "bad")
        : badge(`Needs ${r.missing.join(" and ")}`, "warn");
  const cap =
    r.certificateLifetimeCap === undefined
      ? ""
      : ` Certificates last at most ${Math.round(r.certificateLifetimeCap / 60)} minutes.`;
  return html`<section aria-labelledby="wi-result" class="panel" data-decision="${r.decision}"><h2 id="wi-result">Result</h2><p>${decision}${cap}</p>${table(
    "Policies evaluated",
    ["Policy", "State", "Applied", "Result", "Why"],
    r.evaluated.map((e) => [e.name, e.state, e.applied ? "yes" : "no", e.result, e.reason]),
    "No policy.",
  )}</section>`;
}
