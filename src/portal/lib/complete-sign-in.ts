/** The end of every successful sign-in, and the words every failed one shows. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { AttemptsLockedError } from "../../mfa/index.ts";
import type { SignInAccount, SignInEvent } from "../backend.ts";
import { dropFlow, type Flow, type PortalContext, requestInfo, saveFlow, startSession } from "./context.ts";
import { continueTo } from "./forms.ts";

/** One message for a wrong username, password or code: it must not tell which, nor whether the user exists. */
export const SIGN_IN_FAILED = "We couldn't sign you in with those details. Check them and try again.";
export const FLOW_EXPIRED = "Your sign-in took too long or was already used. Start again.";

export function lockedMessage(error: AttemptsLockedError): string {
  const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
  return `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/** Runs `check` and turns a lock into its message (`undefined` when not locked). */
export async function lockOf(check: () => Promise<void>): Promise<AttemptsLockedError | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    if (error instanceof AttemptsLockedError) return error;
    throw error;
  }
}

export async function record(
  ctx: PortalContext,
  request: FastifyRequest,
  event: Omit<SignInEvent, "at" | "ip" | "userAgent">,
): Promise<void> {
  const ua = request.headers["user-agent"];
  await ctx.backend.recordSignIn({
    ...event,
    at: ctx.now(),
    ip: request.ip,
    userAgent: typeof ua === "string" ? ua : "",
  });
}

/**
 * Starts the portal session, closes the flow and hands the result to oidc-provider when an OAuth
 * client asked. Returns where the browser goes next.
 */
export async function completeSignIn(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  account: SignInAccount,
  amr: readonly string[],
  method: SignInEvent["method"],
): Promise<string> {
  const authTime = Math.floor(ctx.now() / 1000);
  await startSession(ctx, request, reply, { accountId: account.id, upn: account.upn, amr, authTime });
  await dropFlow(ctx, flow, reply);
  const clientId = flow.target.kind === "interaction" ? flow.target.clientId : undefined;
  await record(ctx, request, {
    method,
    result: "success",
    upn: account.upn,
    accountId: account.id,
    clientId,
  });
  if (flow.target.kind === "portal") return flow.target.returnTo;
  const { redirectTo } = await ctx.backend.finishInteraction(
    flow.target.uid,
    { kind: "login", accountId: account.id, amr, authTime },
    requestInfo(request, reply),
  );
  return redirectTo;
}

/**
 * After the password (and, when it was temporary, the new one): a second factor when the account
 * has one; enrolment first when policy needs one and the account has none; else signed in.
 */
export async function continueAfterPassword(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: Flow,
  account: SignInAccount,
): Promise<FastifyReply> {
  const factors = await ctx.backend.listFactors(account.id);
  const signedIn = { accountId: account.id, upn: account.upn, amr: ["pwd"] };
  if (factors.totp || factors.passkeys.length > 0) {
    await saveFlow(ctx, reply, { ...flow, ...signedIn, passwordChangeRequired: false });
    return reply.redirect(ctx.path("/signin/factor"), 303);
  }
  if (flow.mfaRequired) {
    // Registration interrupt: a first factor may be added with the password alone, then sign in again.
    await startSession(ctx, request, reply, { ...signedIn, authTime: Math.floor(ctx.now() / 1000) });
    await dropFlow(ctx, flow, reply);
    return reply.redirect(ctx.path("/security?setup=required"), 303);
  }
  const next = await completeSignIn(ctx, request, reply, flow, account, ["pwd"], "password");
  return continueTo(reply, ctx.path(""), next);
}
