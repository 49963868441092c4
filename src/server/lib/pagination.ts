import { type TSchema, Type } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { InvalidSkipTokenError } from "../errors.ts";

export const MAX_TOP = 1000;
export const DEFAULT_TOP = 100;

/**
 * `?top=`: a query string is text, and the server coerces no types (docs/decisions.md), so the page
 * size is a string of digits that the pattern bounds to 1..1000 and `pageRequest` converts.
 */
export const Top = Type.String({
  pattern: "^(?:[1-9][0-9]{0,2}|1000)$",
  description: `page size, 1-${MAX_TOP}`,
});

/** `?top=&skipToken=` as on Azure list calls. */
export const PageQuery = Type.Object(
  {
    top: Type.Optional(Top),
    skipToken: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        pattern: "^[A-Za-z0-9_-]+$",
        description: "from nextLink",
      }),
    ),
  },
  { additionalProperties: false },
);

/** A page of a directory list, narrowed by a search text (display name, UPN, app id). */
export const SearchPageQuery = Type.Object(
  {
    ...PageQuery.properties,
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "contains, any case" })),
  },
  { additionalProperties: false },
);

/** `{ value: [...], nextLink? }`: the Azure list envelope. */
export function PageOf<T extends TSchema>(item: T) {
  return Type.Object(
    { value: Type.Array(item), nextLink: Type.Optional(Type.String()) },
    { additionalProperties: false },
  );
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** Turns the query into the domain's page request; the skip token wraps the domain's opaque cursor. */
export function pageRequest(query: { top?: string; skipToken?: string }): PageRequest {
  const limit = query.top === undefined ? DEFAULT_TOP : Number(query.top);
  if (query.skipToken === undefined) return { limit };
  const cursor = Buffer.from(query.skipToken, "base64url").toString("utf8");
  if (cursor.length === 0 || Buffer.from(cursor, "utf8").toString("base64url") !== query.skipToken) {
    throw new InvalidSkipTokenError("the skipToken is not one this server issued");
  }
  return { limit, cursor };
}

/**
 * Builds the envelope. `nextLink` is relative (path and query) on purpose: an absolute one would
 * echo the Host header, which the caller controls.
 */
export function pageResponse<T, D>(
  request: FastifyRequest,
  page: { readonly items: readonly T[]; readonly nextCursor?: string },
  toDto: (item: T) => D,
): { value: D[]; nextLink?: string } {
  const value = page.items.map(toDto);
  if (page.nextCursor === undefined) return { value };
  const url = new URL(request.url, "http://x");
  url.searchParams.set("skipToken", Buffer.from(page.nextCursor, "utf8").toString("base64url"));
  return { value, nextLink: `${url.pathname}${url.search}` };
}

/** For lists the domain returns whole (small ones): slices by offset, with the offset as cursor. */
export function pageOfArray<T>(items: readonly T[], page: PageRequest): { items: T[]; nextCursor?: string } {
  const start = page.cursor === undefined ? 0 : Number.parseInt(page.cursor, 10);
  if (!Number.isSafeInteger(start) || start < 0 || String(start) !== (page.cursor ?? "0")) {
    throw new InvalidSkipTokenError("the skipToken is not one this server issued");
  }
  const slice = items.slice(start, start + page.limit);
  const end = start + slice.length;
  return end < items.length ? { items: slice, nextCursor: String(end) } : { items: slice };
}
