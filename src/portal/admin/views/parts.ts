/** Building blocks the administration pages share: tables, fact lists, action forms, pagers. */
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";

type Cell = SafeHtml | string | number | undefined;

/** A data table with a caption (screen readers announce it) and column headers. */
export function table(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  empty = "Nothing here yet.",
): SafeHtml {
  if (rows.length === 0) return html`<p class="muted" data-empty>${empty}</p>`;
  return html`<div class="table-wrap"><table><caption>${caption}</caption>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell ?? ""}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

/** A definition list of facts about one object. */
export function facts(items: readonly (readonly [label: string, value: Cell])[]): SafeHtml {
  return html`<dl class="facts">${items.map(([label, value]) => html`<dt>${label}</dt><dd>${value ?? ""}</dd>`)}</dl>`;
}

/**
 * A one-button form that posts `fields` to `action` (every change is a POST with the CSRF token).
 * `about` names what the button acts on, for screen readers, where a row has its own button.
 */
export function actionButton(
  csrf: string,
  action: string,
  label: string,
  fields: Readonly<Record<string, string>> = {},
  tone: "secondary" | "danger" | "primary" = "secondary",
  about?: string,
): SafeHtml {
  return html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}${Object.entries(
    fields,
  ).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit" class="${tone} small"${about === undefined ? "" : html` aria-label="${label}: ${about}"`}>${label}</button></form>`;
}

/** "Next page" for lists the API pages with `nextLink` (its skip token carried in our own URL). */
export function pager(nextHref: string | undefined): SafeHtml {
  return nextHref === undefined
    ? html``
    : html`<nav class="pager" aria-label="Pages"><a href="${nextHref}" rel="next">Next page</a></nav>`;
}

/** The skip token of an API `nextLink` (relative path with `skipToken=`), if any. */
export function skipTokenOf(nextLink: string | undefined): string | undefined {
  if (nextLink === undefined) return undefined;
  return new URL(nextLink, "http://x").searchParams.get("skipToken") ?? undefined;
}

/** A value to copy (a command): selectable text plus a button the script turns into "copy". */
export function copyable(id: string, text: string, label: string): SafeHtml {
  return html`<div class="copy"><pre id="${id}" tabindex="0" aria-label="${label}"><code>${text}</code></pre><button type="button" class="secondary small" data-copy="${id}" hidden>Copy</button></div>`;
}

/** An ISO time as the page shows it (UTC, to the second), machine-readable in `datetime`. */
export function time(iso: string | undefined): SafeHtml {
  if (iso === undefined || iso === "") return html``;
  const shown = iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC");
  return html`<time datetime="${iso}">${shown}</time>`;
}

export function badge(text: string, tone: "ok" | "warn" | "bad" | "neutral" = "neutral"): SafeHtml {
  return html`<span class="badge ${tone}">${text}</span>`;
}
