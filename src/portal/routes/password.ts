/**
 * New passwords: `/signin/new-password` replaces a temporary password in the middle of a sign-in
 * (nothing else continues until it is done), `/security/password` is the self-service change.
 * Both go through the backend (the directory's password rules) and into the activity log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isHostpassError } from "../../shared/errors.ts";
import { continueAfterPassword, FLOW_EXPIRED, lockedMessage, lockOf } from "../lib/complete-sign-in.ts";
import { type PortalContext, readFlow, readSession, saveFlow } from "../lib/context.ts";
import { field, type RefusePage, sendPage } from "../lib/forms.ts";
import { changePasswordPage, newPasswordPage } from "../views/password.ts";

const MISMATCH = "The two new passwords are not the same. Type them again.";
const WRONG_CURRENT = "Your current password is not right. Type it again.";

export function registerPasswordRoutes(
  portal: FastifyInstance,
  ctx: PortalContext,
  refuse: RefusePage,
): void {
  const base = ctx.path("");

  /** The new password from the form, or the message that says why it cannot be used. */
  function chosen(request: FastifyRequest): { password: string } | { error: string } {
    const password = field(request, "new_password").slice(0, 1024);
    return password === field(request, "confirm_password").slice(0, 1024)
      ? { password }
      : { error: MISMATCH };
  }

  /** The backend's refusal in words (the directory's password rules say what is wrong). */
  function reasonOf(error: unknown): string {
    if (isHostpassError(error) && error.kind === "unauthenticated") return WRONG_CURRENT;
    if (isHostpassError(error) && error.kind === "invalid")
      return `${error.message[0]?.toUpperCase() ?? ""}${error.message.slice(1)}.`;
    throw error;
  }

  const record = (request: FastifyRequest, accountId: string, result: "success" | "failure") =>
    ctx.backend.recordSecurityChange({
      at: ctx.now(),
      ip: request.ip,
      accountId,
      change: "password",
      result,
    });

  portal.get("/signin/new-password", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow?.accountId === undefined || !flow.passwordChangeRequired)
      return refuse(request, reply, 400, FLOW_EXPIRED);
    const csrf = ctx.csrf.tokenFor(request, reply);
    return sendPage(reply, 200, newPasswordPage({ base, csrf, upn: flow.upn ?? "" }));
  });

  portal.post("/signin/new-password", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow?.accountId === undefined || !flow.passwordChangeRequired)
      return refuse(request, reply, 400, FLOW_EXPIRED);
    const again = (status: number, error: string) =>
      sendPage(
        reply,
        status,
        newPasswordPage({ base, csrf: ctx.csrf.tokenFor(request, reply), upn: flow.upn ?? "", error }),
      );
    const next = chosen(request);
    if ("error" in next) return again(400, next.error);
    try {
      await ctx.backend.changePassword(flow.accountId, undefined, next.password);
    } catch (error) {
      return again(400, reasonOf(error));
    }
    await record(request, flow.accountId, "success");
    const account = await ctx.backend.getAccount(flow.accountId);
    if (account === undefined) return refuse(request, reply, 400, FLOW_EXPIRED);
    const continuing = { ...flow, passwordChangeRequired: false };
    await saveFlow(ctx, reply, continuing);
    return continueAfterPassword(ctx, request, reply, continuing, account);
  });

  portal.get("/security/password", async (request, reply) => {
    const session = await readSession(ctx, request);
    if (session === undefined) return signInFirst(request, reply);
    const csrf = ctx.csrf.tokenFor(request, reply);
    return sendPage(reply, 200, changePasswordPage({ base, csrf, upn: session.upn }));
  });

  portal.post("/security/password", async (request, reply) => {
    const session = await readSession(ctx, request);
    if (session === undefined) return refuse(request, reply, 401, "Sign in again to change your password.");
    const again = (status: number, error: string) =>
      sendPage(
        reply,
        status,
        changePasswordPage({ base, csrf: ctx.csrf.tokenFor(request, reply), upn: session.upn, error }),
      );
    const now = ctx.now();
    const keys = [`acct:${session.accountId}`];
    const locked = await lockOf(() => ctx.limiters.account.assertAllowed(keys, now));
    if (locked) return again(429, lockedMessage(locked));
    const next = chosen(request);
    if ("error" in next) return again(400, next.error);
    try {
      await ctx.backend.changePassword(
        session.accountId,
        field(request, "current_password").slice(0, 1024),
        next.password,
      );
    } catch (error) {
      const reason = reasonOf(error);
      if (reason === WRONG_CURRENT) {
        await ctx.limiters.account.recordFailure(keys, now);
        await record(request, session.accountId, "failure");
      }
      return again(reason === WRONG_CURRENT ? 401 : 400, reason);
    }
    await record(request, session.accountId, "success");
    return reply.redirect(ctx.path("/security?done=password"), 303);
  });

  function signInFirst(request: FastifyRequest, reply: FastifyReply) {
    return reply.redirect(ctx.path(`/signin?return=${encodeURIComponent(request.url)}`), 303);
  }
}
