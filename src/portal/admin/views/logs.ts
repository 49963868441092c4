/** The logs' tabs and filter form (a GET form: a filtered view is a link one can share). */
import { html, type SafeHtml } from "../../lib/html.ts";
import type { LogFilters, LogKind } from "../lib/log-queries.ts";

export function logTabs(base: string, current: LogKind): SafeHtml {
  const tabs: readonly (readonly [LogKind, string])[] = [
    ["sign-ins", "Sign-ins"],
    ["activity", "Activity"],
  ];
  return html`<nav aria-label="Logs" class="tabs"><ul>${tabs.map(
    ([kind, label]) =>
      html`<li><a href="${base}/logs/${kind}"${kind === current ? html` aria-current="page"` : ""}>${label}</a></li>`,
  )}</ul></nav>`;
}

const RESULTS = ["success", "failure", "interrupted", "locked", "denied"];

export function logFilterForm(base: string, kind: LogKind, f: LogFilters): SafeHtml {
  const signIns = kind === "sign-ins";
  const specific = signIns
    ? html`<label for="f-result">Result<select id="f-result" name="result"><option value="">Any</option>${RESULTS.map(
        (r) => html`<option value="${r}"${f.result === r ? html` selected` : ""}>${r}</option>`,
      )}</select></label>
<label for="f-app">Application id<input id="f-app" name="app" type="text" value="${f.app}" maxlength="128"></label>
<label for="f-ip">Address<input id="f-ip" name="ip" type="text" value="${f.ip}" maxlength="64"></label>`
    : html`<label for="f-target">Machine or other target<input id="f-target" name="target" type="text" value="${f.target}" maxlength="512" placeholder="resource id"></label>
<label for="f-action">Action<input id="f-action" name="action" type="text" value="${f.action}" maxlength="256" placeholder="e.g. Host/login"></label>`;
  return html`<form method="get" action="${base}/logs/${kind}" class="toolbar panel" aria-label="Filters">
<label for="f-principal">${signIns ? "User or app" : "Who"}<input id="f-principal" name="principal" type="text" value="${f.principal}" maxlength="256" placeholder="UPN or object id"></label>
${specific}
<label for="f-from">From (UTC)<input id="f-from" name="from" type="datetime-local" value="${f.from}"></label>
<label for="f-to">To (UTC)<input id="f-to" name="to" type="datetime-local" value="${f.to}"></label>
<button type="submit" class="primary">Apply</button>
</form>`;
}
