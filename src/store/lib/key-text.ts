/**
 * PostgreSQL text cannot hold U+0000 (SQLite can), and OAuth ids, jtis and user codes come from
 * requests. Keys are therefore stored through an injective encoding that is the identity for
 * every ordinary string: a key with a NUL, or one that starts with the marker, is stored as the
 * marker followed by its JSON form (which escapes NUL). Same on both dialects, so a hostile id is
 * looked up, stored and refused exactly like any other.
 */
const MARKER = "\u001fjson:";

export function keyText(value: string): string {
  return value.includes("\u0000") || value.startsWith(MARKER) ? MARKER + JSON.stringify(value) : value;
}

export function fromKeyText(stored: string): string {
  return stored.startsWith(MARKER) ? (JSON.parse(stored.slice(MARKER.length)) as string) : stored;
}

/** Free text (names, user agents, reasons): NUL becomes U+FFFD, on both dialects alike. */
export function freeText(value: string): string {
  return value.replaceAll("\u0000", "\uFFFD");
}
