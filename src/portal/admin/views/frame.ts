/**
 * The frame of every administration page: a skip link, the top bar (who is signed in, sign-out),
 * the navigation (only the sections the user may open), breadcrumbs, a notice area that screen
 * readers announce, and the page itself in `<main>`. Stylesheets and the one script are files
 * (the CSP allows no inline script or style).
 */
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";

export type Section = "home" | "resources" | "directory" | "logs" | "access" | "security";

export interface Nav {
  readonly directory: boolean;
  readonly logs: boolean;
  readonly access: boolean;
}

export interface Notice {
  readonly tone: "info" | "error" | "success";
  readonly text: string;
  /** A secret made by the change (a generated password, a client secret): shown this once. */
  readonly secret?: { readonly label: string; readonly value: string };
}

export interface FrameInput {
  readonly base: string;
  readonly csrf: string;
  readonly upn: string;
  readonly nav: Nav;
  readonly section: Section;
  readonly title: string;
  readonly crumbs?: readonly (readonly [label: string, href: string])[];
  readonly notice?: Notice;
  readonly body: SafeHtml;
  /** Re-reads the page every few seconds without script (a long operation is in progress). */
  readonly refreshSeconds?: number;
}

const SECTIONS: readonly (readonly [Section, string, string, keyof Nav | undefined])[] = [
  ["home", "Home", "/", undefined],
  ["resources", "Resources", "/resources", undefined],
  ["directory", "Directory", "/directory/users", "directory"],
  ["logs", "Logs", "/logs/sign-ins", "logs"],
  ["access", "Conditional access", "/conditional-access", "access"],
  ["security", "Security info", "/security", undefined],
];

export function frame(input: FrameInput): string {
  const { base } = input;
  const links = SECTIONS.filter(([, , , need]) => need === undefined || input.nav[need]).map(
    ([section, label, href]) =>
      html`<li><a href="${base}${href}"${section === input.section ? html` aria-current="page"` : ""}>${label}</a></li>`,
  );
  const crumbs =
    input.crumbs === undefined || input.crumbs.length === 0
      ? html``
      : html`<nav aria-label="Breadcrumb" class="crumbs"><ol>${input.crumbs.map(
          ([label, href]) => html`<li><a href="${href}">${label}</a></li>`,
        )}<li aria-current="page">${input.title}</li></ol></nav>`;
  const refresh =
    input.refreshSeconds === undefined
      ? html``
      : html`<noscript><meta http-equiv="refresh" content="${String(input.refreshSeconds)}"></noscript>`;
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${refresh}
<title>${input.title} · hostpass</title>
<link rel="stylesheet" href="${base}/portal/static/portal.css">
<link rel="stylesheet" href="${base}/portal/static/admin.css">
<script src="${base}/portal/static/admin.js" defer></script>
</head>
<body class="console">
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
<a class="brand" href="${base}/"><span class="logo" aria-hidden="true"></span>hostpass</a>
<div class="account"><span class="muted">Signed in as</span> <strong data-field="upn">${input.upn}</strong>
<form method="post" action="${base}/signout" class="inline">${csrfField(input.csrf)}<button type="submit" class="secondary small">Sign out</button></form></div>
</header>
<div class="shell">
<nav aria-label="Sections" class="sidenav"><ul>${links}</ul></nav>
<main id="main" tabindex="-1">
${crumbs}
<h1>${input.title}</h1>
<div class="notices" aria-live="polite">${noticeOf(input.notice)}</div>
${input.body}
</main>
</div>
</body>
</html>`}`;
}

export function noticeOf(notice: Notice | undefined): SafeHtml {
  if (notice === undefined) return html``;
  const role = notice.tone === "error" ? "alert" : "status";
  const secret =
    notice.secret === undefined
      ? html``
      : html`<div class="panel" data-shown-once><p><strong>${notice.secret.label}</strong> Copy it now: it is not shown again.</p><div class="copy"><pre id="shown-once" tabindex="0"><code>${notice.secret.value}</code></pre><button type="button" class="secondary small" data-copy="shown-once" hidden>Copy</button></div></div>`;
  return html`<p class="alert ${notice.tone}" role="${role}">${notice.text}</p>${secret}`;
}
