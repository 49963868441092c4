/**
 * Keyset pagination: items are ordered by a unique text key and the cursor is the last key,
 * base64url-encoded (opaque to callers, cheap at any depth, stable under concurrent inserts).
 */
import { InvalidPageError } from "../errors.ts";

export const MAX_PAGE_LIMIT = 1000;

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidPageError(`page size must be 1 to ${MAX_PAGE_LIMIT}`);
  }
  return limit;
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (typeof cursor !== "string" || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidPageError("invalid page cursor");
  }
  return Buffer.from(cursor, "base64url").toString("utf8");
}

/** Call with `limit + 1` rows fetched: returns the page and the cursor for the next one. */
export function pageOf<R, T>(rows: readonly R[], limit: number, key: (row: R) => string, map: (row: R) => T) {
  const items = rows.slice(0, limit).map(map);
  const last = rows[limit - 1];
  return rows.length > limit && last !== undefined
    ? { items, nextCursor: Buffer.from(key(last), "utf8").toString("base64url") }
    : { items };
}
