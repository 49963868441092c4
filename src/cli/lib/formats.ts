/** az's table and tsv renderings (YAML comes from the `yaml` library, in output.ts). */

type Row = Record<string, unknown>;

function isPlainObject(value: unknown): value is Row {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== "object";
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : String(value);
}

/**
 * Like az: one row per object, one column per scalar top-level property (nested objects and lists
 * are left out), headers in PascalCase with a dashed rule under them.
 */
export function toTable(data: unknown): string {
  const rows: Row[] = (Array.isArray(data) ? data : [data]).map((item) =>
    isPlainObject(item) ? item : { Result: item },
  );
  const columns: string[] = [];
  for (const row of rows) {
    for (const [key, value] of Object.entries(row))
      if (isScalar(value) && !columns.includes(key)) columns.push(key);
  }
  if (columns.length === 0) return "";
  const headers = columns.map((c) => c.charAt(0).toUpperCase() + c.slice(1));
  const cells = rows.map((row) => columns.map((c) => oneLine(scalarText(row[c]))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")}\n`;
}

/** Like az: scalars as they are; objects as their scalar values tab-separated; one line per item. */
export function toTsv(data: unknown): string {
  const items = Array.isArray(data) ? data : [data];
  const lines = items.map((item) => {
    if (isPlainObject(item)) {
      return Object.values(item)
        .filter(isScalar)
        .map((v) => oneLine(scalarText(v)))
        .join("\t");
    }
    if (Array.isArray(item))
      return item
        .filter(isScalar)
        .map((v) => oneLine(scalarText(v)))
        .join("\t");
    return oneLine(scalarText(item));
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** Tabs and newlines would break the line-and-column shape scripts rely on. */
function oneLine(text: string): string {
  return text.replace(/[\t\r\n]/g, " ");
}
