/**
 * Duplicate member names in JSON. RFC 8259 leaves `{"a":1,"a":2}` to the parser; JSON.parse keeps
 * the last value, other parsers the first, so two components reading one document can disagree
 * about it (a check passes on one value and the action uses the other). hostpass refuses such
 * documents wherever it takes JSON from outside: API bodies, the JWTs clients sign (DPoP and
 * device proofs, client assertions), passkey responses.
 *
 * Names compare after unescaping (`"a"` and `"\u0061"` are the same name), exactly, without case
 * or Unicode folding. jsonc-parser's scanner does the tokenising; callers run JSON.parse first
 * (it is the validity check: jsonc-parser also accepts comments and trailing commas).
 */
import { visit } from "jsonc-parser";

/** The first name that occurs twice in one object of `text`, or undefined. `text` must be JSON. */
export function findDuplicateJsonKey(text: string): string | undefined {
  const open: Set<string>[] = [];
  let duplicate: string | undefined;
  visit(text, {
    onObjectBegin: () => {
      open.push(new Set());
    },
    onObjectEnd: () => {
      open.pop();
    },
    onObjectProperty: (name) => {
      const names = open[open.length - 1];
      if (names === undefined || duplicate !== undefined) return;
      if (names.has(name)) duplicate = name;
      else names.add(name);
    },
  });
  return duplicate;
}

/**
 * True when the header or payload of a compact JWS has a duplicate name. Segments that do not
 * decode to JSON answer false: the JWT library refuses those with its own error.
 */
export function jwsHasDuplicateKeys(compact: string): boolean {
  const parts = compact.split(".");
  if (parts.length !== 3) return false;
  for (const part of parts.slice(0, 2)) {
    const text = Buffer.from(part ?? "", "base64url").toString("utf8");
    try {
      JSON.parse(text);
    } catch {
      return false;
    }
    if (findDuplicateJsonKey(text) !== undefined) return true;
  }
  return false;
}
