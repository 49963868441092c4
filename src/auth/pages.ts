/**
 * The few pages oidc-provider renders itself (device-code entry and approval, logout, errors).
 * The real pages (portal, strict CSP) come later and replace these through `AuthPages`; the
 * defaults here are deliberately bare but already show what the user must see to resist
 * device-code phishing: which client asks, from which address, for what.
 */
import type { KoaContextWithOIDC } from "oidc-provider";

/** Everything the approval page shows before the user says yes (RFC 8628 §5.4). */
export interface DeviceApprovalView {
  readonly userCode: string;
  readonly clientId: string;
  readonly clientName: string;
  /** The address the device authorization request came from (not the user's browser). */
  readonly requestIp: string;
  readonly requestUserAgent: string;
  readonly scopes: readonly string[];
  readonly resources: readonly string[];
}

export interface AuthPages {
  /** The user-code form; `formHtml` is oidc-provider's form (with its CSRF token) to embed. */
  deviceCodeInput(input: { formHtml: string; error?: { error: string; description?: string } }): string;
  /** The approval form; `formHtml` carries the confirm/abort buttons. */
  deviceCodeConfirm(input: { formHtml: string; view: DeviceApprovalView }): string;
  deviceCodeSuccess(input: { clientName: string }): string;
  /** RP-initiated logout confirmation; `formHtml` posts the decision. */
  logoutConfirm(input: { formHtml: string }): string;
  logoutSuccess(input: { clientName?: string }): string;
  error(input: { error: string; description?: string }): string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

export const DEFAULT_PAGES: AuthPages = {
  deviceCodeInput: ({ formHtml, error }) =>
    page(
      "Enter code",
      `<h1>Enter the code shown on your device</h1>${error ? `<p role="alert">${escapeHtml(error.description ?? error.error)}</p>` : ""}${formHtml}<button type="submit" form="op.deviceInputForm">Continue</button>`,
    ),
  deviceCodeConfirm: ({ formHtml, view }) =>
    page(
      "Approve sign-in",
      `<h1>Sign in to ${escapeHtml(view.clientName)}?</h1>
<p>Only continue if you started this yourself, on a device in front of you.</p>
<dl><dt>Application</dt><dd data-field="client">${escapeHtml(view.clientName)} (${escapeHtml(view.clientId)})</dd>
<dt>Requested from</dt><dd data-field="ip">${escapeHtml(view.requestIp)}</dd>
<dt>Access</dt><dd data-field="scopes">${escapeHtml([...view.scopes, ...view.resources].join(" "))}</dd>
<dt>Code</dt><dd data-field="code">${escapeHtml(view.userCode)}</dd></dl>${formHtml}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
    ),
  deviceCodeSuccess: ({ clientName }) =>
    page("Signed in", `<h1>You are signed in to ${escapeHtml(clientName)}. You may close this window.</h1>`),
  logoutConfirm: ({ formHtml }) =>
    page(
      "Sign out",
      `<h1>Sign out?</h1>${formHtml}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button><button type="submit" form="op.logoutForm">No</button>`,
    ),
  logoutSuccess: () => page("Signed out", "<h1>You are signed out.</h1>"),
  error: ({ error, description }) =>
    page("Error", `<h1>${escapeHtml(error)}</h1><p>${escapeHtml(description ?? "")}</p>`),
};

/** Writes an HTML page with headers that keep it out of frames and caches. */
export function sendPage(ctx: KoaContextWithOIDC, html: string): void {
  ctx.type = "html";
  ctx.set("Cache-Control", "no-store");
  ctx.set("X-Frame-Options", "DENY");
  ctx.set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
  ctx.body = html;
}
