/**
 * Device-code pages (RFC 8628 §3.3). The approval page is where device-code phishing is stopped or
 * not: it shows which application asks, from which address, for what, and says plainly when to refuse.
 */
import type { DeviceCodeView } from "../backend.ts";
import { html } from "../lib/html.ts";
import { formatUserCode } from "../lib/user-code.ts";
import { alert, csrfField, layout, scopeList } from "./layout.ts";

function signedInAs(base: string, csrf: string, upn: string) {
  return html`<form method="post" action="${base}/signout" class="who">${csrfField(csrf)}Signed in as <strong>${upn}</strong> · <button type="submit" class="link">Not you?</button></form>`;
}

export function deviceCodePage(input: {
  readonly base: string;
  readonly csrf: string;
  readonly upn: string;
  readonly code?: string;
  readonly error?: string;
}): string {
  const { base, csrf } = input;
  const body = html`<h1>Enter code</h1>
<p class="sub">Enter the code shown by the application on your other device or terminal.</p>
${signedInAs(base, csrf, input.upn)}${alert(input.error)}
<form method="post" action="${base}/device" class="stack">${csrfField(csrf)}
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" class="code" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX" maxlength="32" required autofocus value="${input.code ?? ""}">
<button type="submit" class="primary">Next</button>
</form>`;
  return layout({ base, title: "Enter code", body });
}

export function deviceApprovalPage(input: {
  readonly base: string;
  readonly csrf: string;
  readonly upn: string;
  readonly device: DeviceCodeView;
}): string {
  const { base, csrf, device } = input;
  const body = html`<h1>Are you trying to sign in?</h1>
<div class="warning" role="note"><strong>Only continue if you started this sign-in yourself on a device you control.</strong>
If someone sent you this code or asked you to enter it, choose <em>Deny</em>: approving gives them access as you.</div>
<dl class="facts">
<dt>Application</dt><dd data-field="client">${device.clientName} <span class="muted">${device.clientId}</span></dd>
<dt>Requested from</dt><dd data-field="ip">${device.requestIp}${device.requestUserAgent ? html` <span class="muted">${device.requestUserAgent}</span>` : ""}</dd>
<dt>Access asked for</dt><dd data-field="scopes">${scopeList(device.scopes)}</dd>
<dt>Code</dt><dd data-field="code" class="code">${formatUserCode(device.userCode)}</dd>
<dt>Signed in as</dt><dd data-field="account">${input.upn}</dd>
</dl>
<form method="post" action="${base}/device/decision" class="actions">${csrfField(csrf)}
<input type="hidden" name="user_code" value="${device.userCode}">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="approve" class="primary">Approve</button>
</form>`;
  return layout({ base, title: "Approve sign-in", body });
}

export function deviceDonePage(input: {
  readonly base: string;
  readonly approved: boolean;
  readonly clientName: string;
}): string {
  const body = input.approved
    ? html`<h1>You're signed in</h1>${alert(`${input.clientName} on your other device is now signed in. You can close this window.`, "info")}`
    : html`<h1>Sign-in denied</h1>${alert(`No access was given to ${input.clientName}. You can close this window.`, "info")}`;
  return layout({ base: input.base, title: input.approved ? "Signed in" : "Denied", body });
}
