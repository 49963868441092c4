/**
 * The URL clients reach the service at (`hostpass server --public-url https://name[:port]`).
 * Everything the service names about itself comes from it and never from a request's `Host`
 * header: the OAuth issuer and every URL in discovery, the DPoP `htu` a certificate request must
 * name, the WebAuthn relying party id, the device-code verification URI, the names in the
 * generated TLS certificate, and every URL the service prints.
 */
import { isIP } from "node:net";
import { ServerConfigError } from "./errors.ts";
import { isLoopback } from "./listen-address.ts";

export interface PublicUrl {
  /** `https://name[:port]`, no trailing slash: the base every URL is built on. */
  readonly origin: string;
  readonly protocol: "https:" | "http:";
  /** The host name or IP as written in the URL (IPv6 without brackets). */
  readonly hostname: string;
  /** `name[:port]` as a `Host` header carries it (brackets for IPv6; no default port). */
  readonly host: string;
}

const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * `https://name[:port]` (http only for a loopback host, for tests and `--insecure-http`).
 * No path, query, fragment or credentials: the service's paths are fixed under it.
 */
export function parsePublicUrl(text: string): PublicUrl {
  const shown = String(text).slice(0, 200);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServerConfigError(
      `--public-url must be an absolute URL like https://hostpass.example, not '${shown}'`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new ServerConfigError("--public-url must start with https://");
  if (url.username !== "" || url.password !== "")
    throw new ServerConfigError("--public-url must not carry a user name or password");
  if (
    (url.pathname !== "/" && url.pathname !== "") ||
    url.search !== "" ||
    url.hash !== "" ||
    /[?#]$/.test(text)
  )
    throw new ServerConfigError(
      "--public-url is an origin only (scheme, host and port), without a path or query",
    );
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(hostname) === 0 && !DNS_NAME.test(hostname))
    throw new ServerConfigError(
      `--public-url host '${hostname.slice(0, 100)}' is not a DNS name or IP address`,
    );
  if (hostname === "0.0.0.0" || hostname === "::")
    throw new ServerConfigError("--public-url must name an address clients can reach, not a wildcard");
  if (url.protocol === "http:" && !isLoopback(hostname))
    throw new ServerConfigError("--public-url may use http:// only for a loopback host; use https://");
  return Object.freeze({
    origin: url.origin,
    protocol: url.protocol,
    hostname,
    host: url.host,
  });
}
