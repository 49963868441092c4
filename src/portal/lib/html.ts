/**
 * The one way pages build HTML: every value interpolated into `html` is escaped unless it is
 * itself the result of `html` (or of `trustedSvg`, for the QR code our own library draws).
 */
export class SafeHtml {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly Value[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/**
 * Marks an SVG drawn by the `qrcode` library as safe. It is checked to be a bare SVG (no script,
 * no style, no event handler, no foreign content), so a change in that library cannot inject script.
 */
export function trustedSvg(svg: string): SafeHtml {
  if (!/^<svg [^>]*>(<path [^<>]*\/>)*<\/svg>\s*$/.test(svg) || /\son\w+=|style|script/i.test(svg)) {
    throw new TypeError("unexpected SVG from the QR code library");
  }
  return new SafeHtml(svg);
}
