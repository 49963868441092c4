/** Sign-in pages: username + password (or a passkey), the second factor, consent. */
import type { FederatedProviderView } from "../backend.ts";
import { html, type SafeHtml } from "../lib/html.ts";
import { alert, csrfField, layout, scopeList } from "./layout.ts";

interface Common {
  readonly base: string;
  readonly csrf: string;
  /** The application being signed in to, when an OAuth client asked. */
  readonly clientName?: string;
  readonly error?: string;
}

function continueTo(clientName: string | undefined): SafeHtml {
  return clientName === undefined
    ? html``
    : html`<p class="sub">to continue to <strong>${clientName}</strong></p>`;
}

function cancelForm(base: string, csrf: string, interaction: boolean): SafeHtml {
  if (!interaction) return html``;
  return html`<form method="post" action="${base}/signin/cancel" class="links">${csrfField(csrf)}<button type="submit" class="link">Cancel sign-in</button></form>`;
}

/**
 * "Sign in with <provider>": plain links (a GET leaves for the provider; no form, so CSP
 * form-action holds), by provider id; the tenant is named when providers of several are offered.
 */
function providerLinks(base: string, providers: readonly FederatedProviderView[] | undefined): SafeHtml {
  if (providers === undefined || providers.length === 0) return html``;
  return html`<div class="divider"><span>or</span></div>
<div class="stack">${providers.map(
    (p) =>
      html`<a class="button secondary" href="${base}/signin/federated/${p.id}">Sign in with ${p.displayName}${
        p.tenant === undefined
          ? html``
          : html` <span class="muted" title="tenant ${p.tenant.name}">· ${p.tenant.displayName}</span>`
      }</a>`,
  )}</div>`;
}

export function signInPage(
  input: Common & { readonly username?: string; readonly providers?: readonly FederatedProviderView[] },
): string {
  const { base, csrf } = input;
  const body = html`<h1>Sign in</h1>${continueTo(input.clientName)}${alert(input.error)}
<form method="post" action="${base}/signin/password" class="stack">${csrfField(csrf)}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" required value="${input.username ?? ""}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Sign in</button>
</form>
<div class="divider"><span>or</span></div>
<div class="stack" data-passkey="get" data-options="${base}/signin/passkey/options" data-verify="${base}/signin/passkey/verify">${csrfField(csrf)}
<button type="button" class="secondary" data-passkey-start>Sign in with a passkey</button>
<p class="alert error" role="alert" data-passkey-error hidden></p>
</div>
${providerLinks(base, input.providers)}
${cancelForm(base, csrf, input.clientName !== undefined)}`;
  return layout({ base, title: "Sign in", body, webauthn: true });
}

export function secondFactorPage(
  input: Common & { readonly upn: string; readonly totp: boolean; readonly passkey: boolean },
): string {
  const { base, csrf } = input;
  const totp = input.totp
    ? html`<form method="post" action="${base}/signin/totp" class="stack">${csrfField(csrf)}
<label for="code">Code from your authenticator app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
<button type="submit" class="primary">Verify</button>
</form>`
    : html``;
  const passkey = input.passkey
    ? html`${input.totp ? html`<div class="divider"><span>or</span></div>` : ""}
<div class="stack" data-passkey="get" data-options="${base}/signin/passkey/options" data-verify="${base}/signin/passkey/verify">${csrfField(csrf)}
<button type="button" class="${input.totp ? "secondary" : "primary"}" data-passkey-start>Use a passkey</button>
<p class="alert error" role="alert" data-passkey-error hidden></p>
</div>`
    : html``;
  const body = html`<h1>Verify it's you</h1>${continueTo(input.clientName)}
<p class="who">Signed in as <strong>${input.upn}</strong></p>${alert(input.error)}${totp}${passkey}
${cancelForm(base, csrf, input.clientName !== undefined)}`;
  return layout({ base, title: "Verify it's you", body, webauthn: input.passkey });
}

export function consentPage(
  input: Common & { readonly uid: string; readonly clientName: string; readonly scopes: readonly string[] },
): string {
  const { base, csrf } = input;
  const body = html`<h1>Allow access?</h1>
<p><strong>${input.clientName}</strong> asks to:</p>${scopeList(input.scopes)}${alert(input.error)}
<form method="post" action="${base}/interaction/${input.uid}/consent" class="actions">${csrfField(csrf)}
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
</form>`;
  return layout({ base, title: "Allow access?", body });
}
