/** A minimal browser for tests: a path-aware cookie jar and manual redirect following. */

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

export class Browser {
  readonly #cookies = new Map<string, Cookie>();

  #store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = "", ...attrs] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = "/";
      let expired = value === "";
      for (const attr of attrs) {
        const [key = "", val = ""] = attr.split("=");
        if (key.toLowerCase() === "path") path = val;
        if (key.toLowerCase() === "max-age" && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === "expires" && Date.parse(val) < Date.now()) expired = true;
      }
      const id = `${name};${path}`;
      if (expired) this.#cookies.delete(id);
      else this.#cookies.set(id, { name, value, path });
    }
  }

  #header(url: URL): string {
    return [...this.#cookies.values()]
      .filter(
        (c) =>
          url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.#header(target);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(target, { ...init, headers, redirect: "manual" });
    this.#store(response.headers.getSetCookie());
    return response;
  }

  /** Follows redirects from `url` until `stop(location)` is true; returns that location. */
  async follow(url: string, stop: (location: string) => boolean, init?: RequestInit): Promise<string> {
    let response = await this.request(url, init);
    let current = url;
    for (let hop = 0; hop < 12; hop++) {
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || location === null) {
        throw new Error(`no redirect from ${current}: ${response.status} ${await response.text()}`);
      }
      current = new URL(location, current).href;
      if (stop(current)) return current;
      response = await this.request(current);
    }
    throw new Error("too many redirects");
  }
}
