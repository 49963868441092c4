/**
 * A browser's federated sign-in by hand, without a browser: GETs with a cookie jar and no
 * redirect following, each trusting the CA of the host it goes to (the server and the test
 * providers have self-signed certificates with the same subject, so they cannot be trusted
 * together).
 */
import assert from "node:assert/strict";
import { request } from "node:https";

export interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
  readonly cookies: readonly string[];
}

/** One request with the jar's cookies (updated from the answer's), no redirect following. */
export function get(
  url: string,
  cas: ReadonlyMap<string, string>,
  cookies: Map<string, string>,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const ca = cas.get(new URL(url).origin);
  return new Promise((resolve, reject) => {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const headers = { ...options.headers, ...(cookie ? { cookie } : {}) };
    const req = request(url, { method: options.method ?? "GET", ca, headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => {
        const set = res.headers["set-cookie"] ?? [];
        for (const line of set) {
          const [pair] = line.split(";");
          const [k, v] = (pair ?? "").split("=");
          if (k && v !== undefined) {
            if (v === "" || /Max-Age=0/.test(line)) cookies.delete(k);
            else cookies.set(k, v);
          }
        }
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, body, cookies: set });
      });
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/**
 * The sign-in page, "Sign in with" the provider `providerId`, the provider's answer: the callback
 * URL the provider sends the browser back to (not visited yet). `cookies` is the browser's jar.
 */
export async function toCallback(
  serverUrl: string,
  providerId: string,
  cas: ReadonlyMap<string, string>,
  cookies: Map<string, string>,
): Promise<string> {
  await get(`${serverUrl}/portal/signin`, cas, cookies);
  const started = await get(`${serverUrl}/portal/signin/federated/${providerId}`, cas, cookies);
  assert.equal(started.status, 303, started.body);
  const atProvider = await get(started.location as string, cas, cookies);
  assert.equal(atProvider.status, 302, atProvider.body);
  const callbackUrl = atProvider.location as string;
  assert.ok(
    callbackUrl.startsWith(`${serverUrl}/portal/signin/federated/${providerId}/callback?`),
    callbackUrl,
  );
  return callbackUrl;
}

/** A SCIM `POST /Users` with the tenant's bearer token; the created resource's id. */
export async function scimCreateUser(
  scimUrl: string,
  token: string,
  cas: ReadonlyMap<string, string>,
  user: Record<string, unknown>,
): Promise<string> {
  const created = await get(`${scimUrl}/Users`, cas, new Map(), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
    body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...user }),
  });
  assert.equal(created.status, 201, created.body);
  return JSON.parse(created.body).id as string;
}
