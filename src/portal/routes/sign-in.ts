/**
 * Sign-in with a password and a second factor (TOTP here; passkeys in passkey-sign-in.ts), for an
 * OAuth interaction (interaction.ts starts those) or for the portal itself (/signin?return=/device).
 */
import type { FastifyInstance } from "fastify";
import {
  completeSignIn,
  continueAfterPassword,
  FLOW_EXPIRED,
  lockedMessage,
  lockOf,
  record,
  SIGN_IN_FAILED,
} from "../lib/complete-sign-in.ts";
import {
  type Flow,
  newId,
  type PortalContext,
  readFlow,
  requestInfo,
  safeReturnTo,
  saveFlow,
} from "../lib/context.ts";
import { continueTo, field, offeredProviders, queryString, type RefusePage, sendPage } from "../lib/forms.ts";
import { secondFactorPage, signInPage } from "../views/sign-in.ts";

export function registerSignInRoutes(portal: FastifyInstance, ctx: PortalContext, refuse: RefusePage): void {
  const base = ctx.path("");
  const clientNameOf = (flow: Flow) =>
    flow.target.kind === "interaction" ? flow.target.clientName : undefined;

  portal.get("/signin", async (request, reply) => {
    const returnTo = safeReturnTo(queryString(request, "return"), ctx.path("/security"));
    await saveFlow(ctx, reply, { id: newId(), target: { kind: "portal", returnTo } });
    const providers = await offeredProviders(ctx);
    return sendPage(reply, 200, signInPage({ base, csrf: ctx.csrf.tokenFor(request, reply), providers }));
  });

  portal.post("/signin/password", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow === undefined || flow.accountId !== undefined) return refuse(request, reply, 400, FLOW_EXPIRED);
    const username = field(request, "username").trim().slice(0, 256);
    const password = field(request, "password").slice(0, 1024);
    const now = ctx.now();
    // Keyed by what was typed, so an unknown name locks exactly like a real one and reveals nothing.
    const nameKey = [`upn:${username.normalize("NFC").toLowerCase()}`];
    const ipKey = [`ip:${request.ip}`];
    const providers = await offeredProviders(ctx);
    const page = (error: string) =>
      signInPage({
        base,
        csrf: ctx.csrf.tokenFor(request, reply),
        clientName: clientNameOf(flow),
        username,
        error,
        providers,
      });
    const locked = await lockOf(async () => {
      await ctx.limiters.account.assertAllowed(nameKey, now);
      await ctx.limiters.source.assertAllowed(ipKey, now);
    });
    if (locked) {
      await record(ctx, request, { method: "password", result: "locked", upn: username });
      return sendPage(
        reply.header("retry-after", String(locked.retryAfterSeconds)),
        429,
        page(lockedMessage(locked)),
      );
    }
    const account =
      username && password
        ? await ctx.backend.verifyPassword(username, password, requestInfo(request, reply))
        : undefined;
    if (account === undefined) {
      await ctx.limiters.account.recordFailure(nameKey, now);
      await ctx.limiters.source.recordFailure(ipKey, now);
      await record(ctx, request, {
        method: "password",
        result: "failure",
        upn: username,
        reason: "bad_credentials",
      });
      return sendPage(reply, 401, page(SIGN_IN_FAILED));
    }
    await ctx.limiters.account.recordSuccess(nameKey);
    // Second-factor failures lock the account id; the password must not get around that lock.
    const factorLock = await lockOf(() => ctx.limiters.account.assertAllowed([`acct:${account.id}`], now));
    if (factorLock) return sendPage(reply, 429, page(lockedMessage(factorLock)));

    if (account.passwordChangeRequired === true) {
      const pending = { ...flow, accountId: account.id, upn: account.upn, amr: ["pwd"] };
      await saveFlow(ctx, reply, { ...pending, passwordChangeRequired: true });
      return reply.redirect(ctx.path("/signin/new-password"), 303);
    }
    return continueAfterPassword(ctx, request, reply, flow, account);
  });

  portal.get("/signin/factor", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow?.accountId === undefined) return refuse(request, reply, 400, FLOW_EXPIRED);
    if (flow.passwordChangeRequired) return reply.redirect(ctx.path("/signin/new-password"), 303);
    const factors = await ctx.backend.listFactors(flow.accountId);
    const csrf = ctx.csrf.tokenFor(request, reply);
    if (!factors.totp && factors.passkeys.length === 0) {
      return refuse(
        request,
        reply,
        403,
        "This sign-in needs a second factor. Set one up under Security info first.",
      );
    }
    return sendPage(
      reply,
      200,
      secondFactorPage({
        base,
        csrf,
        clientName: clientNameOf(flow),
        upn: flow.upn ?? "",
        totp: factors.totp,
        passkey: factors.passkeys.length > 0,
      }),
    );
  });

  portal.post("/signin/totp", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow?.accountId === undefined || flow.passwordChangeRequired) {
      return refuse(request, reply, 400, FLOW_EXPIRED);
    }
    const accountId = flow.accountId;
    const now = ctx.now();
    const keys = { account: [`acct:${accountId}`], source: [`ip:${request.ip}`] };
    const factors = await ctx.backend.listFactors(accountId);
    const page = (error: string) =>
      secondFactorPage({
        base,
        csrf: ctx.csrf.tokenFor(request, reply),
        clientName: clientNameOf(flow),
        upn: flow.upn ?? "",
        totp: factors.totp,
        passkey: factors.passkeys.length > 0,
        error,
      });
    const locked = await lockOf(async () => {
      await ctx.limiters.account.assertAllowed(keys.account, now);
      await ctx.limiters.source.assertAllowed(keys.source, now);
    });
    if (locked) {
      await record(ctx, request, { method: "totp", result: "locked", accountId, upn: flow.upn });
      return sendPage(
        reply.header("retry-after", String(locked.retryAfterSeconds)),
        429,
        page(lockedMessage(locked)),
      );
    }
    const code = field(request, "code").replace(/\s/g, "");
    if (!factors.totp || !(await ctx.backend.verifyTotp(accountId, code, now))) {
      await ctx.limiters.account.recordFailure(keys.account, now);
      await ctx.limiters.source.recordFailure(keys.source, now);
      await record(ctx, request, {
        method: "totp",
        result: "failure",
        accountId,
        upn: flow.upn,
        reason: "bad_code",
      });
      return sendPage(reply, 401, page(SIGN_IN_FAILED));
    }
    await ctx.limiters.account.recordSuccess(keys.account);
    const account = { id: accountId, upn: flow.upn ?? "", displayName: "" };
    const amr = [...(flow.amr ?? []), "otp", "mfa"];
    return continueTo(reply, base, await completeSignIn(ctx, request, reply, flow, account, amr, "totp"));
  });
}
