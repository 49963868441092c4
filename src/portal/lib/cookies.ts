/**
 * Reading and writing the portal's cookies without a cookie plugin. Every cookie is HttpOnly, has
 * a SameSite policy, and is Secure (with the `__Host-` prefix, which forbids Domain and pins
 * Path=/) when the portal is served over HTTPS.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

export interface CookieOptions {
  readonly secure: boolean;
  readonly sameSite: "Strict" | "Lax";
  /** Lifetime in seconds; omitted for a session cookie. */
  readonly maxAge?: number;
}

export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      // Our values are base64url; anything else was not written by us.
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export function setCookie(reply: FastifyReply, name: string, value: string, options: CookieOptions): void {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", `SameSite=${options.sameSite}`];
  if (options.secure) parts.push("Secure");
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  // Fastify appends repeated set-cookie headers instead of replacing them.
  reply.header("set-cookie", parts.join("; "));
}

export function clearCookie(reply: FastifyReply, name: string, options: CookieOptions): void {
  setCookie(reply, name, "", { ...options, maxAge: 0 });
}
