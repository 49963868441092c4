/** Redirect URIs of a service principal that signs users in through hostpass (a web client). */
import { InvalidRedirectUriError } from "../errors.ts";

export const MAX_REDIRECT_URIS = 10;
const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/** Absolute https URLs (http only on loopback), no fragment or user info, at most 10, no duplicates. */
export function checkRedirectUris(uris: readonly string[]): string[] {
  if (uris.length > MAX_REDIRECT_URIS)
    throw new InvalidRedirectUriError(`at most ${MAX_REDIRECT_URIS} redirect URIs`);
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new InvalidRedirectUriError(`'${uri.slice(0, 64)}' is not a URL`);
    }
    const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
    if (!secure || url.hash !== "" || url.username !== "" || url.password !== "" || uri.length > 1024)
      throw new InvalidRedirectUriError(
        `'${uri.slice(0, 64)}' must be an https URL without fragment or user (http only on loopback)`,
      );
  }
  return [...new Set(uris)];
}
