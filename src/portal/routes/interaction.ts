/**
 * Where oidc-provider sends the browser (`interactions.url` → /interaction/:uid): the sign-in page
 * for a new login, the second-factor page for a step-up, or the consent page; and cancelling.
 */
import type { FastifyInstance } from "fastify";
import type { InteractionView } from "../backend.ts";
import {
  dropFlow,
  type FlowTarget,
  newId,
  type PortalContext,
  readFlow,
  requestInfo,
  saveFlow,
} from "../lib/context.ts";
import { continueTo, field, offeredProviders, type RefusePage, sendPage } from "../lib/forms.ts";
import { consentPage, signInPage } from "../views/sign-in.ts";

const UID = /^[A-Za-z0-9_-]{1,128}$/;
const INTERACTION_GONE =
  "This sign-in request has expired or was already completed. Go back to the application and start again.";

export function registerInteractionRoutes(
  portal: FastifyInstance,
  ctx: PortalContext,
  refuse: RefusePage,
): void {
  const base = ctx.path("");

  portal.get<{ Params: { uid: string } }>("/interaction/:uid", async (request, reply) => {
    const { uid } = request.params;
    const view = UID.test(uid)
      ? await ctx.backend.lookupInteraction(uid, requestInfo(request, reply))
      : undefined;
    if (view === undefined) return refuse(request, reply, 404, INTERACTION_GONE);
    const csrf = ctx.csrf.tokenFor(request, reply);
    const target: FlowTarget = {
      kind: "interaction",
      uid,
      clientId: view.clientId,
      clientName: view.clientName,
    };
    if (view.kind === "consent") {
      return sendPage(
        reply,
        200,
        consentPage({ base, csrf, uid, clientName: view.clientName, scopes: view.scopes }),
      );
    }
    if (view.kind === "mfa") return startStepUp(view, target);
    await saveFlow(ctx, reply, { id: newId(), target, mfaRequired: view.mfaRequired });
    return sendPage(
      reply,
      200,
      signInPage({
        base,
        csrf,
        clientName: view.clientName,
        username: view.loginHint,
        providers: await offeredProviders(ctx),
      }),
    );

    async function startStepUp(v: InteractionView, t: FlowTarget) {
      const account = v.accountId === undefined ? undefined : await ctx.backend.getAccount(v.accountId);
      if (account === undefined) return refuse(request, reply, 404, INTERACTION_GONE);
      await saveFlow(ctx, reply, {
        id: newId(),
        target: t,
        accountId: account.id,
        upn: account.upn,
        amr: [],
        mfaRequired: true,
      });
      return reply.redirect(ctx.path("/signin/factor"), 303);
    }
  });

  portal.post<{ Params: { uid: string } }>("/interaction/:uid/consent", async (request, reply) => {
    const { uid } = request.params;
    if (!UID.test(uid)) return refuse(request, reply, 404, INTERACTION_GONE);
    const outcome =
      field(request, "decision") === "allow" ? ({ kind: "consent" } as const) : ({ kind: "abort" } as const);
    const { redirectTo } = await ctx.backend.finishInteraction(uid, outcome, requestInfo(request, reply));
    return continueTo(reply, base, redirectTo);
  });

  portal.post("/signin/cancel", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow === undefined) return reply.redirect(ctx.path("/signin"), 303);
    await dropFlow(ctx, flow, reply);
    if (flow.target.kind === "portal") return reply.redirect(ctx.path("/signin"), 303);
    const info = requestInfo(request, reply);
    const { redirectTo } = await ctx.backend.finishInteraction(flow.target.uid, { kind: "abort" }, info);
    return continueTo(reply, base, redirectTo);
  });
}
