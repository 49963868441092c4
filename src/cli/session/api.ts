/**
 * The management API as the commands use it: JSON over HTTPS with the signed-in account's
 * token for `urn:hostpass:api`, Azure-style list envelopes followed to the end, the account's
 * subscription (or `--subscription`) for resource paths, and `--debug` request lines on stderr.
 */
import { MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE } from "../../shared/well-known.ts";
import type { CliContext } from "../command.ts";
import { CliUsageError, NoSubscriptionError } from "../errors.ts";
import { updateAccount } from "./accounts.ts";
import { accessTokenFor, openSession, type Session } from "./context.ts";
import { expectOk, type HttpOptions, http } from "./http.ts";

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface ApiClient {
  readonly session: Session;
  get(path: string, query?: Query): Promise<unknown>;
  /** Every page of a `{ value, nextLink }` list. */
  list<T = Record<string, unknown>>(path: string, query?: Query): Promise<T[]>;
  put(path: string, body?: unknown): Promise<unknown>;
  post(path: string, body?: unknown): Promise<unknown>;
  patch(path: string, body?: unknown): Promise<unknown>;
  delete(path: string): Promise<unknown>;
  /** `--subscription` (id or name) or the account's default subscription id. */
  subscriptionId(): Promise<string>;
}

interface Subscription {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
}

/**
 * How long a write may go without an answer: creating a machine, or assigning its identity, starts
 * and joins machines of the local provider, which takes minutes on a busy host (reads keep http's 30 s).
 */
const WRITE_TIMEOUT_MS = 300_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function openApi(ctx: CliContext): Promise<ApiClient> {
  const session = await openSession(ctx.env);
  return apiFor(session, ctx);
}

export function apiFor(session: Session, ctx: CliContext): ApiClient {
  const base = session.cloud.endpoint;
  const debug = (line: string) => {
    if (ctx.globals.debug) ctx.stderr.write(`DEBUG: ${line}\n`);
  };
  const token = (fresh: boolean) =>
    accessTokenFor(session, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE, { fresh });

  async function call(method: NonNullable<HttpOptions["method"]>, path: string, body?: unknown) {
    refuseDotSegments(path);
    const url = `${base}${path}`;
    let fresh = false;
    for (;;) {
      const res = await http(url, {
        method,
        headers: { authorization: `Bearer ${(await token(fresh)).access_token}` },
        ...(body === undefined ? {} : { json: body }),
        ...(session.cloud.caFile ? { caFile: session.cloud.caFile } : {}),
        ...(method === "GET" ? {} : { timeoutMs: WRITE_TIMEOUT_MS }),
        signal: ctx.signal,
      });
      debug(`${method} ${url} -> ${res.status} (${String(res.headers["x-request-id"] ?? "")})`);
      // A cached token the service no longer accepts (key rotation, restart): one fresh retry.
      if (res.status === 401 && !fresh) {
        fresh = true;
        continue;
      }
      return expectOk(res, `${method} ${path}`);
    }
  }

  let subscription: Promise<string> | undefined;
  const api: ApiClient = {
    session,
    get: (path, query) => call("GET", withQuery(path, query)),
    async list<T>(path: string, query?: Query) {
      const items: T[] = [];
      let next: string | undefined = withQuery(path, query);
      while (next !== undefined) {
        const page = (await call("GET", next)) as { value?: T[]; nextLink?: string };
        items.push(...(page.value ?? []));
        next = page.nextLink;
      }
      return items;
    },
    put: (path, body) => call("PUT", path, body ?? {}),
    post: (path, body) => call("POST", path, body),
    patch: (path, body) => call("PATCH", path, body ?? {}),
    delete: (path) => call("DELETE", path),
    subscriptionId() {
      subscription ??= resolveSubscription(api, ctx.globals.subscription);
      return subscription;
    },
  };
  return api;
}

/**
 * A URL's path resolves `.` and `..` segments (also spelled `%2e`) before it is sent, so a name or
 * scope holding one would address another resource: `--scope .../resourceGroups/G/../..` became the
 * subscription (and a role granted there), `group delete -n ..` the subscription. Refused instead.
 */
export function refuseDotSegments(path: string): void {
  const pathPart = path.split(/[?#]/, 1)[0] ?? "";
  for (const segment of pathPart.split("/")) {
    if (/^(?:\.|%2e){1,2}$/i.test(segment))
      throw new CliUsageError(
        `${JSON.stringify(pathPart)}: a name, id or scope segment may not be "." or ".." (it would address another resource)`,
      );
  }
}

/**
 * After a sign-in: the first subscription the account can see becomes its default, as `az login`
 * does (`account show` then names it). An account that sees none stays a tenant-level account.
 */
export async function adoptDefaultSubscription(api: ApiClient): Promise<void> {
  const [first] = await api.list<Subscription>("/subscriptions");
  if (!first) return;
  const { session } = api;
  session.account = await updateAccount(session.dir, session.account, {
    subscription: { id: first.name, name: first.displayName },
  });
}

async function resolveSubscription(api: ApiClient, selector: string | undefined): Promise<string> {
  const { session } = api;
  if (selector === undefined && session.account.subscription) return session.account.subscription.id;
  if (selector !== undefined && UUID.test(selector)) return selector.toLowerCase();
  const subscriptions = await api.list<Subscription>("/subscriptions");
  if (selector === undefined) {
    // An account cached before it had a default subscription: take the first, as `az login` does.
    const first = subscriptions[0];
    if (!first) throw new NoSubscriptionError("no subscription is visible to this account");
    session.account = await updateAccount(session.dir, session.account, {
      subscription: { id: first.name, name: first.displayName },
    });
    return first.name;
  }
  const wanted = selector.toLowerCase();
  const match = subscriptions.find((s) => s.displayName.toLowerCase() === wanted);
  if (!match) throw new CliUsageError(`--subscription: no subscription named ${JSON.stringify(selector)}`);
  return match.name;
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

/** One path segment, encoded: names come from the command line. */
export const seg = (value: string): string => encodeURIComponent(value);
