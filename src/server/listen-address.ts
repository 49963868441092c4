import { isIP } from "node:net";
import { ServerConfigError } from "./errors.ts";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_LISTEN = "127.0.0.1:8443";

/** `host:port` or `[v6]:port`. Hostnames are allowed; the port is required (0 picks a free one). */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || !Number.isInteger(port)) {
    throw new ServerConfigError(`--listen must be host:port or [ipv6]:port, not '${text.slice(0, 100)}'`);
  }
  if (port > 65535)
    throw new ServerConfigError(`--listen: port ${match[3]} is out of range (0-65535; 0: any free port)`);
  if (match[1] !== undefined && isIP(host) !== 6)
    throw new ServerConfigError(`'${host}' is not an IPv6 address`);
  return { host, port };
}

/** Loopback only: 127.0.0.0/8, ::1 and the name localhost. */
export function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}
