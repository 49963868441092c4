/**
 * CSRF protection for every POST: a synchronizer token derived from a random per-browser secret
 * held in an HttpOnly, SameSite=Strict cookie. The token is HMAC(key, secret), so a page on another
 * site can neither read it nor compute it, and a forged cookie (no key) yields no valid token.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { cookieName, readCookie, setCookie } from "./cookies.ts";

export class Csrf {
  readonly #key: Buffer;
  readonly #secure: boolean;
  readonly #cookie: string;

  constructor(key: Uint8Array, secure: boolean) {
    if (key.length < 32) throw new TypeError("the portal's cookie key must be at least 32 bytes");
    this.#key = Buffer.from(key);
    this.#secure = secure;
    this.#cookie = cookieName("hp_csrf", secure);
  }

  /** The token for this browser's forms; sets the secret cookie when the browser has none. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string {
    let secret = readCookie(request, this.#cookie);
    if (secret === undefined) {
      secret = randomBytes(32).toString("base64url");
      setCookie(reply, this.#cookie, secret, { secure: this.#secure, sameSite: "Strict" });
      // Later calls in the same request must see the cookie just set.
      request.headers.cookie = `${request.headers.cookie ?? ""}; ${this.#cookie}=${secret}`;
    }
    return this.#mac(secret);
  }

  /** True only when the submitted token matches this browser's secret. */
  check(request: FastifyRequest, submitted: string | null | undefined): boolean {
    const secret = readCookie(request, this.#cookie);
    if (secret === undefined || typeof submitted !== "string") return false;
    const expected = Buffer.from(this.#mac(secret));
    const actual = Buffer.from(submitted);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  #mac(secret: string): string {
    return createHmac("sha256", this.#key).update(`hostpass-portal-csrf:${secret}`).digest("base64url");
  }
}
