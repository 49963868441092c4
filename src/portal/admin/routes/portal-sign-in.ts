/**
 * Signing in to the administration portal: `/start` sends the browser to the authorization server
 * (which shows the ordinary sign-in pages), `/callback` redeems the code for the session's API
 * tokens. The pending request lives server-side under a random state that only this browser's
 * cookie names, so a code cannot be injected into someone else's session.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { readSession, safeReturnTo, sessionKey } from "../../lib/context.ts";
import { clearCookie, cookieName, readCookie, setCookie } from "../../lib/cookies.ts";
import { queryString, type RefusePage } from "../../lib/forms.ts";
import { type AdminContext, ApiClient, saveTokens } from "../lib/api-client.ts";
import {
  authorizationUrl,
  newPendingAuthorization,
  type PendingAuthorization,
  redeemCode,
  TokenRequestError,
} from "../lib/oauth-client.ts";

const PENDING_COOKIE = "hp_oauth";
const PENDING_TTL_MS = 10 * 60_000;
const CANCELLED = "The sign-in was cancelled or did not finish. Sign in again to continue.";
const FAILED = "The sign-in could not be completed. Start again.";

export function registerPortalSignIn(app: FastifyInstance, ctx: AdminContext, refuse: RefusePage): void {
  const { portal } = ctx;
  const cookie = cookieName(PENDING_COOKIE, portal.secure);
  const redirectUri = () => `${portal.rp.origins[0] ?? ""}${portal.path("/callback")}`;

  app.get("/start", async (request, reply) => {
    const returnTo = safeReturnTo(queryString(request, "return"), portal.path("/"));
    const pending = newPendingAuthorization(returnTo);
    await portal.state.put(`oauth:${pending.state}`, JSON.stringify(pending), PENDING_TTL_MS, portal.now());
    // Lax: the callback arrives as a redirect from the authorization server (same site).
    setCookie(reply, cookie, pending.state, { secure: portal.secure, sameSite: "Lax" });
    return reply.redirect(authorizationUrl(ctx.deps, redirectUri(), pending), 303);
  });

  app.get("/callback", async (request, reply) => {
    const state = readCookie(request, cookie);
    clearCookie(reply, cookie, { secure: portal.secure, sameSite: "Lax" });
    const text = state === undefined ? undefined : await portal.state.take(`oauth:${state}`, portal.now());
    const pending = text === undefined ? undefined : (JSON.parse(text) as PendingAuthorization);
    if (pending === undefined || queryString(request, "state") !== pending.state) {
      return refuse(request, reply, 400, FAILED);
    }
    // RFC 9207: the response must come from our own authorization server.
    if (queryString(request, "iss") !== ctx.deps.issuer()) return refuse(request, reply, 400, FAILED);
    const code = queryString(request, "code");
    if (code === undefined) return refuse(request, reply, 401, CANCELLED);
    return finish(request, reply, pending, code);
  });

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    pending: PendingAuthorization,
    code: string,
  ): Promise<FastifyReply> {
    // The sign-in pages started this browser's portal session; the tokens join it.
    const sessionId = sessionKey(portal, request);
    const session = await readSession(portal, request);
    if (sessionId === undefined || session === undefined) return refuse(request, reply, 401, CANCELLED);
    try {
      const input = {
        code,
        verifier: pending.verifier,
        redirectUri: redirectUri(),
        ip: request.ip,
        now: portal.now(),
      };
      await saveTokens(ctx, sessionId, await redeemCode(ctx.deps, input));
    } catch (error) {
      if (error instanceof TokenRequestError) return refuse(request, reply, 400, FAILED);
      throw error;
    }
    const api = await ApiClient.of(ctx, request);
    const me = await api?.get<{ objectId: string }>("/me");
    if (me?.objectId !== session.accountId) return refuse(request, reply, 400, FAILED);
    return reply.redirect(pending.returnTo, 303);
  }
}
