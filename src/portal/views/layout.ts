/** The frame of every page: one stylesheet, the WebAuthn script only where a page needs it. */
import { html, type SafeHtml } from "../lib/html.ts";

export interface LayoutOptions {
  /** The portal's prefix, for links to its static files. */
  readonly base: string;
  readonly title: string;
  readonly body: SafeHtml;
  readonly webauthn?: boolean;
  /** Moves the browser on to this URL by itself (meta refresh: no script). */
  readonly refreshTo?: string;
}

export function layout(options: LayoutOptions): string {
  const { base, title, body } = options;
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${options.refreshTo === undefined ? "" : html`<meta http-equiv="refresh" content="0;url=${options.refreshTo}">`}
<title>${title} · hostpass</title>
<link rel="stylesheet" href="${base}/portal/static/portal.css">
${options.webauthn ? html`<script src="${base}/portal/static/webauthn.js" defer></script>` : ""}
</head>
<body>
<main class="card">
<div class="brand"><span class="logo" aria-hidden="true"></span>hostpass</div>
${body}
</main>
</body>
</html>`}`;
}

export function alert(message: string | undefined, tone: "error" | "info" = "error"): SafeHtml {
  return message === undefined ? html`` : html`<p class="alert ${tone}" role="alert">${message}</p>`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

/** What each scope means, in words a user can judge before approving. */
const SCOPE_TEXT: ReadonlyMap<string, string> = new Map([
  ["openid", "Sign you in"],
  ["profile", "Read your name and username"],
  ["email", "Read your email address"],
  ["groups", "Read the names of your groups"],
  ["offline_access", "Stay signed in (refresh tokens)"],
  ["vm.login", "Linux VM Sign-In: log in to Linux machines as you"],
  ["urn:hostpass:linux-vm-sign-in", "Linux VM Sign-In: log in to Linux machines as you"],
  ["user_impersonation", "hostpass management API: act as you, within your role assignments"],
  ["urn:hostpass:api", "hostpass management API: act as you, within your role assignments"],
]);

export function scopeList(scopes: readonly string[]): SafeHtml {
  const seen = new Set<string>();
  const items: SafeHtml[] = [];
  for (const scope of scopes) {
    const text = SCOPE_TEXT.get(scope) ?? scope;
    if (seen.has(text)) continue;
    seen.add(text);
    items.push(html`<li data-scope="${scope}">${text}</li>`);
  }
  return html`<ul class="scopes">${items}</ul>`;
}

/** The end of a sign-in: on to the application (see `continueTo` in lib/forms.ts). */
export function continuePage(base: string, url: string): string {
  const body = html`<h1>Signed in</h1><p>Returning to the application… <a href="${url}">Continue</a></p>`;
  return layout({ base, title: "Signed in", body, refreshTo: url });
}

export function errorPage(base: string, title: string, message: string): string {
  return layout({ base, title, body: html`<h1>${title}</h1><p>${message}</p>` });
}
