/** The user's own security info: overview, authenticator-app enrolment, passkey registration. */
import { html, type SafeHtml, trustedSvg } from "../lib/html.ts";
import { alert, csrfField, layout } from "./layout.ts";

interface Common {
  readonly base: string;
  readonly csrf: string;
  readonly upn: string;
}

export function securityPage(
  input: Common & { readonly totp: boolean; readonly passkeys: number; readonly notice?: string },
): string {
  const { base, csrf } = input;
  const body = html`<h1>Security info</h1><p class="who">Signed in as <strong>${input.upn}</strong></p>${alert(input.notice, "info")}
<ul class="factors">
<li><span>Password</span><span class="muted">Set</span><a href="${base}/security/password">Change</a></li>
<li><span>Authenticator app</span><span class="muted" data-factor="totp">${input.totp ? "Set up" : "Not set up"}</span><a href="${base}/security/totp">${input.totp ? "Replace" : "Set up"}</a></li>
<li><span>Passkeys</span><span class="muted" data-factor="passkeys">${String(input.passkeys)} registered</span><a href="${base}/security/passkeys">Add</a></li>
</ul>
<form method="post" action="${base}/signout" class="links">${csrfField(csrf)}<button type="submit" class="link">Sign out</button></form>`;
  return layout({ base, title: "Security info", body });
}

/** Groups the base32 secret in fours so it can be typed by hand. */
function groups(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

export function totpEnrolPage(
  input: Common & { readonly qrSvg: string; readonly secret: string; readonly error?: string },
): string {
  const { base, csrf } = input;
  const qr: SafeHtml = trustedSvg(input.qrSvg);
  const body = html`<h1>Set up an authenticator app</h1>
<p class="sub">Scan the code with your authenticator app, then enter the 6-digit code it shows.</p>
<div class="qr">${qr}</div>
<p class="muted">Can't scan? Enter this key: <code data-field="secret">${groups(input.secret)}</code></p>${alert(input.error)}
<form method="post" action="${base}/security/totp" class="stack">${csrfField(csrf)}
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit" class="primary">Confirm</button>
</form>
<p class="links"><a href="${base}/security">Back</a></p>`;
  return layout({ base, title: "Authenticator app", body });
}

export function passkeyPage(input: Common): string {
  const { base, csrf } = input;
  const body = html`<h1>Add a passkey</h1>
<p class="sub">A passkey signs you in with this device's screen lock or a security key. Nothing secret leaves the device.</p>
<div class="stack" data-passkey="create" data-options="${base}/security/passkeys/options" data-verify="${base}/security/passkeys/verify">${csrfField(csrf)}
<button type="button" class="primary" data-passkey-start>Create a passkey</button>
<p class="alert error" role="alert" data-passkey-error hidden></p>
</div>
<p class="links"><a href="${base}/security">Back</a></p>`;
  return layout({ base, title: "Add a passkey", body, webauthn: true });
}
