/**
 * The management API as the signed-in user: the portal session's tokens (kept server-side, keyed
 * by the session id, never sent to the browser), refreshed shortly before they expire, one
 * refresh at a time per session (a refresh token is single-use: two concurrent refreshes would
 * look like a replay and end the sign-in). "One at a time" holds across replicas: the refresher
 * claims the session's refresh in the shared state; a request on another replica meanwhile waits
 * for the new tokens to appear there.
 */
import type { FastifyRequest } from "fastify";
import { type PortalContext, readSession, type Session, sessionKey } from "../../lib/context.ts";
import type { AdminDeps } from "../ports.ts";
import { type PortalTokens, refreshTokens, revokeTokens, TokenRequestError } from "./oauth-client.ts";

export interface AdminContext {
  readonly portal: PortalContext;
  readonly deps: AdminDeps;
}

/** An API answer that is not a success, with the API's stable code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The session is gone, or its sign-in no longer works (revoked, user disabled): sign in again. */
export class SessionEndedError extends Error {
  constructor() {
    super("Your session has ended. Sign in again to continue.");
  }
}

/** Refresh this long before the access token's expiry, so a page never meets an expired one. */
const REFRESH_MARGIN_MS = 60_000;
/** How long a replica may hold a session's refresh before another may try (a crashed refresher). */
const REFRESH_CLAIM_MS = 15_000;
const REFRESH_WAIT_STEP_MS = 50;
/** Refreshes in flight in this portal (per portal instance: each server is its own replica). */
const inFlight = new WeakMap<PortalContext, Map<string, Promise<PortalTokens>>>();

const tokensKey = (sessionId: string) => `api:${sessionId}`;
const refreshKey = (sessionId: string) => `api-refresh:${sessionId}`;

export async function saveTokens(ctx: AdminContext, sessionId: string, tokens: PortalTokens): Promise<void> {
  await ctx.portal.state.put(
    tokensKey(sessionId),
    JSON.stringify(tokens),
    ctx.portal.sessionTtlMs,
    ctx.portal.now(),
  );
}

async function loadTokens(ctx: AdminContext, sessionId: string): Promise<PortalTokens | undefined> {
  const text = await ctx.portal.state.get(tokensKey(sessionId), ctx.portal.now());
  return text === undefined ? undefined : (JSON.parse(text) as PortalTokens);
}

/** Forgets the session's tokens and ends their grant at the authorization server. */
export async function dropTokens(ctx: AdminContext, request: FastifyRequest): Promise<void> {
  const id = sessionKey(ctx.portal, request);
  if (id === undefined) return;
  const tokens = await loadTokens(ctx, id);
  await ctx.portal.state.delete(tokensKey(id));
  if (tokens !== undefined) {
    await revokeTokens(ctx.deps, tokens, request.ip).catch((error: unknown) => {
      request.log.warn({ err: error }, "portal: revoking the session's tokens failed");
    });
  }
}

/**
 * For a list a page shows beside its main content: one the signed-in user may not read (403) is
 * shown empty; any other failure (the service down, a bug) is not hidden behind an empty list but
 * becomes the page's error.
 */
export function emptyWhenForbidden(error: unknown): { readonly value: never[] } {
  if (error instanceof ApiError && error.status === 403) return { value: [] };
  throw error;
}

export interface ApiCall {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
}

/** A signed-in administrator's view of the API for one request. */
export class ApiClient {
  readonly session: Session;
  /** The portal session's id: the key of this session's server-side state. */
  readonly sessionId: string;
  readonly #ctx: AdminContext;
  readonly #request: FastifyRequest;

  private constructor(ctx: AdminContext, sessionId: string, session: Session, request: FastifyRequest) {
    this.#ctx = ctx;
    this.sessionId = sessionId;
    this.session = session;
    this.#request = request;
  }

  /** `undefined` when the browser has no portal session with API tokens. */
  static async of(ctx: AdminContext, request: FastifyRequest): Promise<ApiClient | undefined> {
    const id = sessionKey(ctx.portal, request);
    const session = await readSession(ctx.portal, request);
    if (id === undefined || session === undefined) return undefined;
    if ((await loadTokens(ctx, id)) === undefined) return undefined;
    return new ApiClient(ctx, id, session, request);
  }

  async get<T>(path: string): Promise<T> {
    return this.call<T>({ method: "GET", path });
  }

  /** Sends the call; a non-2xx answer throws `ApiError`, a dead sign-in `SessionEndedError`. */
  async call<T>(call: ApiCall): Promise<T> {
    const response = await this.#send(call, await this.#tokens());
    const text = response.body;
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status === 401) throw new SessionEndedError();
    if (response.status >= 400) {
      const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === "string" ? error.code : "ERR_SERVICE";
      const message =
        typeof error?.message === "string" ? error.message : `The service answered ${response.status}.`;
      throw new ApiError(response.status, code, message);
    }
    return body as T;
  }

  /** May the signed-in user perform `action` at `scope`? (The API's own check, not a guess.) */
  async can(action: string, scope: string): Promise<boolean> {
    const path = `${scope === "/" ? "" : scope}/providers/Authorization/checkAccess`;
    const result = await this.call<{ allowed: boolean }>({ method: "POST", path, body: { action } });
    return result.allowed;
  }

  /** Several checks at once, answered in the same order. */
  async canAll(checks: readonly (readonly [action: string, scope: string])[]): Promise<boolean[]> {
    return Promise.all(checks.map(([action, scope]) => this.can(action, scope)));
  }

  async #send(call: ApiCall, tokens: PortalTokens) {
    const ua = this.#request.headers["user-agent"];
    const headers: Record<string, string> = {
      authorization: `Bearer ${tokens.accessToken}`,
      accept: "application/json",
      "user-agent": typeof ua === "string" ? ua.slice(0, 512) : "hostpass portal",
    };
    if (call.body !== undefined) headers["content-type"] = "application/json";
    return this.#ctx.deps.http({
      method: call.method,
      url: call.path,
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      remoteAddress: this.#request.ip,
    });
  }

  async #tokens(): Promise<PortalTokens> {
    const now = this.#ctx.portal.now();
    const current = await loadTokens(this.#ctx, this.sessionId);
    if (current === undefined) throw new SessionEndedError();
    if (current.expiresAt - REFRESH_MARGIN_MS > now) return current;
    let refreshing = inFlight.get(this.#ctx.portal);
    if (refreshing === undefined) {
      refreshing = new Map();
      inFlight.set(this.#ctx.portal, refreshing);
    }
    const mine = refreshing;
    let pending = mine.get(this.sessionId);
    if (pending === undefined) {
      pending = this.#refresh(current, now).finally(() => mine.delete(this.sessionId));
      mine.set(this.sessionId, pending);
    }
    return pending;
  }

  async #refresh(current: PortalTokens, now: number): Promise<PortalTokens> {
    const { state } = this.#ctx.portal;
    // Another replica may be refreshing this session: wait for its tokens rather than redeem the
    // same refresh token a second time (a replay, which would end the sign-in).
    while (!(await state.claim(refreshKey(this.sessionId), REFRESH_CLAIM_MS, this.#ctx.portal.now()))) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_WAIT_STEP_MS));
      const seen = await loadTokens(this.#ctx, this.sessionId);
      if (seen === undefined) throw new SessionEndedError();
      if (seen.refreshToken !== current.refreshToken) return seen;
    }
    try {
      // Refreshed elsewhere between our read and our claim: those tokens are the current ones.
      const latest = await loadTokens(this.#ctx, this.sessionId);
      if (latest === undefined) throw new SessionEndedError();
      if (latest.refreshToken !== current.refreshToken) return latest;
      const next = await refreshTokens(this.#ctx.deps, current.refreshToken, this.#request.ip, now);
      await saveTokens(this.#ctx, this.sessionId, next);
      return next;
    } catch (error) {
      if (error instanceof TokenRequestError && error.status === 400) {
        await state.delete(tokensKey(this.sessionId));
        throw new SessionEndedError();
      }
      throw error;
    } finally {
      await state.delete(refreshKey(this.sessionId));
    }
  }
}
