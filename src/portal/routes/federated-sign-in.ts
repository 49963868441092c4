/**
 * Sign-in through an organisation's OpenID Connect provider (issue 13), any tenant's: the sign-in
 * page links to `/signin/federated/<provider id>`, which sends the browser to the provider; the
 * provider sends it back to that provider's own `/signin/federated/<provider id>/callback` (a
 * redirect URI per provider: the mix-up defence that does not depend on the provider sending
 * RFC 9207 `iss`). The pending request (provider, tenant, state, nonce, PKCE verifier) stays
 * server-side under a random id named by a `SameSite=Lax` cookie, so the callback is bound to the
 * browser that started it (the flow's own cookie is `Strict` and does not come back from another
 * site) and is single-use: a replayed callback finds nothing. The backend refuses a pending
 * request made for another provider than the callback's.
 */
import type { FastifyInstance } from "fastify";
import { isHostpassError } from "../../shared/errors.ts";
import { completeSignIn, FLOW_EXPIRED, record } from "../lib/complete-sign-in.ts";
import {
  dropFlow,
  type Flow,
  newId,
  type PortalContext,
  requestInfo,
  saveFlow,
  startSession,
} from "../lib/context.ts";
import { clearCookie, cookieName, readCookie, setCookie } from "../lib/cookies.ts";
import { continueTo, type RefusePage, sendPage } from "../lib/forms.ts";
import { secondFactorPage } from "../views/sign-in.ts";

const PROVIDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FED = "hp_fed";
const PENDING_TTL_MS = 10 * 60_000;
const STATUS = { invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409 } as const;

type ByProvider = { Params: { provider: string } };

interface Pending {
  readonly flowId: string;
  readonly redirectUri: string;
  /** The backend's own record of the request (opaque here). */
  readonly upstream: string;
}

export function registerFederatedSignInRoutes(
  portal: FastifyInstance,
  ctx: PortalContext,
  refuse: RefusePage,
): void {
  const backend = ctx.backend;
  const start = backend.startFederatedSignIn?.bind(backend);
  const finish = backend.finishFederatedSignIn?.bind(backend);
  if (start === undefined || finish === undefined) return;
  const base = ctx.path("");
  const cookie = cookieName(FED, ctx.secure);

  // Before each provider had its own callback, one address served them all: a provider still
  // registered with it is told so, instead of "no such identity provider".
  portal.get("/signin/federated/callback", async (request, reply) =>
    refuse(
      request,
      reply,
      400,
      "The identity provider sent the browser back to an address hostpass no longer uses. Its administrator must register the redirect URI that 'hostpass idp show' gives.",
    ),
  );

  portal.get<ByProvider>("/signin/federated/:provider", async (request, reply) => {
    const flowId = readCookie(request, cookieName("hp_flow", ctx.secure));
    const flow = flowId === undefined ? undefined : await ctx.state.get(`flow:${flowId}`, ctx.now());
    if (flow === undefined || flowId === undefined) return refuse(request, reply, 400, FLOW_EXPIRED);
    const providerId = request.params.provider;
    if (!PROVIDER_ID.test(providerId)) return refuse(request, reply, 404, "No such identity provider.");
    // Read per request: the origin is known once the server listens.
    const redirectUri = `${ctx.rp.origins[0] ?? ""}${ctx.path(`/signin/federated/${providerId}/callback`)}`;
    let started: { url: string; pending: string };
    try {
      started = await start(providerId, redirectUri);
    } catch (error) {
      if (!isHostpassError(error)) throw error;
      return refuse(request, reply, STATUS[error.kind as keyof typeof STATUS] ?? 502, error.message);
    }
    const id = newId();
    const pending: Pending = { flowId, redirectUri, upstream: started.pending };
    await ctx.state.put(`fed:${id}`, JSON.stringify(pending), PENDING_TTL_MS, ctx.now());
    setCookie(reply, cookie, id, { secure: ctx.secure, sameSite: "Lax", maxAge: PENDING_TTL_MS / 1000 });
    return reply.redirect(started.url, 303);
  });

  portal.get<ByProvider>("/signin/federated/:provider/callback", async (request, reply) => {
    const id = readCookie(request, cookie);
    // Single use, atomically (two replicas or two requests: one gets it); a replayed callback
    // finds nothing.
    const text = id === undefined ? undefined : await ctx.state.take(`fed:${id}`, ctx.now());
    clearCookie(reply, cookie, { secure: ctx.secure, sameSite: "Lax" });
    if (id === undefined || text === undefined) return refuse(request, reply, 400, FLOW_EXPIRED);
    const pending = JSON.parse(text) as Pending;
    const flowText = await ctx.state.get(`flow:${pending.flowId}`, ctx.now());
    if (flowText === undefined) return refuse(request, reply, 400, FLOW_EXPIRED);
    const flow = JSON.parse(flowText) as Flow;
    const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?")) : "";
    let outcome: Awaited<ReturnType<typeof finish>>;
    try {
      outcome = await finish(
        request.params.provider,
        pending.upstream,
        `${pending.redirectUri}${query}`,
        requestInfo(request, reply),
      );
    } catch (error) {
      if (!isHostpassError(error)) throw error;
      await record(ctx, request, {
        method: "federated",
        result: "failure",
        reason: error.code,
        identityProviderId: request.params.provider,
      });
      return refuse(request, reply, STATUS[error.kind as keyof typeof STATUS] ?? 502, error.message);
    }
    const { account, amr } = outcome;
    if (amr.includes("mfa")) {
      return continueTo(
        reply,
        base,
        await completeSignIn(ctx, request, reply, flow, account, amr, "federated"),
      );
    }
    const factors = await backend.listFactors(account.id);
    if (flow.mfaRequired && (factors.totp || factors.passkeys.length > 0)) {
      // The flow cookie is Strict and did not come back from the provider: set it again with the
      // page, whose form posts are same-site.
      await saveFlow(ctx, reply, { ...flow, accountId: account.id, upn: account.upn, amr: [...amr] });
      const csrf = ctx.csrf.tokenFor(request, reply);
      const clientName = flow.target.kind === "interaction" ? flow.target.clientName : undefined;
      return sendPage(
        reply,
        200,
        secondFactorPage({
          base,
          csrf,
          upn: account.upn,
          totp: factors.totp,
          passkey: factors.passkeys.length > 0,
          ...(clientName ? { clientName } : {}),
        }),
      );
    }
    if (flow.mfaRequired) {
      await startSession(ctx, request, reply, {
        accountId: account.id,
        upn: account.upn,
        amr,
        authTime: Math.floor(ctx.now() / 1000),
      });
      await dropFlow(ctx, flow, reply);
      return reply.redirect(ctx.path("/security?setup=required"), 303);
    }
    return continueTo(
      reply,
      base,
      await completeSignIn(ctx, request, reply, flow, account, amr, "federated"),
    );
  });
}
