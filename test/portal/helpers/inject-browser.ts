/** A tiny cookie-keeping client over `app.inject`, for the rules that need no real browser. */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

export class InjectBrowser {
  readonly #app: FastifyInstance;
  readonly cookies = new Map<string, string>();
  last: LightMyRequestResponse | undefined;

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  #cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  #keep(response: LightMyRequestResponse): LightMyRequestResponse {
    const set = response.headers["set-cookie"];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = line.split(";");
      const eq = (pair ?? "").indexOf("=");
      const name = (pair ?? "").slice(0, eq);
      const value = (pair ?? "").slice(eq + 1);
      if (value === "" || /Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    this.last = response;
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#keep(
      await this.#app.inject({ method: "GET", url, headers: { cookie: this.#cookieHeader() } }),
    );
  }

  /** Posts a form; `csrf` defaults to the token of the last page seen. */
  async post(
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ csrf: this.csrfToken(), ...fields }).toString();
    return this.#keep(
      await this.#app.inject({
        method: "POST",
        url,
        payload: body,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: this.#cookieHeader(),
          ...headers,
        },
      }),
    );
  }

  csrfToken(): string {
    return /name="csrf" value="([^"]+)"/.exec(this.last?.body ?? "")?.[1] ?? "";
  }
}
