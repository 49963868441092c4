/**
 * Security info: enrol an authenticator app (TOTP) or a passkey. Adding a factor needs a recent
 * sign-in, and one with a second factor once the account has any, so a stolen password alone
 * cannot add the attacker's own authenticator to an account that is already protected.
 */
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { enrollTotp, registrationOptions, verifyRegistration, verifyTotp } from "../../mfa/index.ts";
import { lockedMessage, lockOf } from "../lib/complete-sign-in.ts";
import { endSession, type PortalContext, readSession, type Session, sessionKey } from "../lib/context.ts";
import { field, queryString, type RefusePage, sendPage } from "../lib/forms.ts";
import { passkeyPage, securityPage, totpEnrolPage } from "../views/security.ts";
import { parseCredential } from "./passkey-sign-in.ts";

const PENDING_TTL_MS = 10 * 60_000;
const NOTICES: Readonly<Record<string, string>> = {
  required: "Your organisation requires a second way to sign in. Set one up, then sign in again to continue.",
  totp: "Your authenticator app is set up.",
  passkey: "Your passkey is registered.",
  password: "Your password is changed.",
};

export function registerSecurityRoutes(
  portal: FastifyInstance,
  ctx: PortalContext,
  refuse: RefusePage,
): void {
  const base = ctx.path("");
  const signInFirst = (request: FastifyRequest, reply: FastifyReply) =>
    reply.redirect(ctx.path(`/signin?return=${encodeURIComponent(request.url)}`), 303);

  /** The session and its key when it may add a factor now; `undefined` otherwise. */
  async function enrolmentSession(request: FastifyRequest) {
    const session = await readSession(ctx, request);
    const key = sessionKey(ctx, request);
    if (session === undefined || key === undefined) return undefined;
    if (ctx.now() - session.authTime * 1000 > ctx.recentAuthMs) return undefined;
    if ((await ctx.backend.getAccount(session.accountId)) === undefined) return undefined;
    const factors = await ctx.backend.listFactors(session.accountId);
    const hasFactor = factors.totp || factors.passkeys.length > 0;
    return hasFactor && !session.amr.includes("mfa") ? undefined : { session, key, factors };
  }

  portal.get("/security", async (request, reply) => {
    const session = await readSession(ctx, request);
    if (session === undefined) return signInFirst(request, reply);
    const factors = await ctx.backend.listFactors(session.accountId);
    const notice = NOTICES[queryString(request, "setup") ?? queryString(request, "done") ?? ""];
    const csrf = ctx.csrf.tokenFor(request, reply);
    const view = {
      base,
      csrf,
      upn: session.upn,
      totp: factors.totp,
      passkeys: factors.passkeys.length,
      notice,
    };
    return sendPage(reply, 200, securityPage(view));
  });

  portal.get("/security/totp", async (request, reply) => {
    const enrol = await enrolmentSession(request);
    if (enrol === undefined) return signInFirst(request, reply);
    const { secret, qrSvg } = await enrollTotp(ctx.issuer, enrol.session.upn);
    // The secret stays on the server until confirmed: the browser cannot choose or swap it.
    await ctx.state.put(`totp:${enrol.key}`, JSON.stringify({ secret, qrSvg }), PENDING_TTL_MS, ctx.now());
    const page = totpEnrolPage({
      base,
      csrf: ctx.csrf.tokenFor(request, reply),
      upn: enrol.session.upn,
      secret,
      qrSvg,
    });
    return sendPage(reply, 200, page);
  });

  portal.post("/security/totp", async (request, reply) => {
    const enrol = await enrolmentSession(request);
    if (enrol === undefined)
      return refuse(request, reply, 401, "Sign in again to change your security info.");
    const text = await ctx.state.get(`totp:${enrol.key}`, ctx.now());
    if (text === undefined) return reply.redirect(ctx.path("/security/totp"), 303);
    const pending = JSON.parse(text) as { secret: string; qrSvg: string };
    const now = ctx.now();
    const keys = [`acct:${enrol.session.accountId}`];
    const again = (status: number, error: string) =>
      sendPage(
        reply,
        status,
        totpEnrolPage({
          base,
          csrf: ctx.csrf.tokenFor(request, reply),
          upn: enrol.session.upn,
          ...pending,
          error,
        }),
      );
    const locked = await lockOf(() => ctx.limiters.account.assertAllowed(keys, now));
    if (locked) return again(429, lockedMessage(locked));
    let step: number;
    try {
      step = verifyTotp(pending.secret, field(request, "code").replace(/\s/g, ""), now, null);
    } catch {
      await ctx.limiters.account.recordFailure(keys, now);
      return again(400, "That code didn't match. Enter the current code from your app.");
    }
    await ctx.backend.saveTotp(enrol.session.accountId, pending.secret, step);
    await ctx.state.delete(`totp:${enrol.key}`);
    await recordChange(request, enrol.session.accountId, "totp");
    return reply.redirect(ctx.path("/security?done=totp"), 303);
  });

  portal.get("/security/passkeys", async (request, reply) => {
    const enrol = await enrolmentSession(request);
    if (enrol === undefined) return signInFirst(request, reply);
    return sendPage(
      reply,
      200,
      passkeyPage({ base, csrf: ctx.csrf.tokenFor(request, reply), upn: enrol.session.upn }),
    );
  });

  portal.post("/security/passkeys/options", async (request, reply) => {
    const enrol = await enrolmentSession(request);
    if (enrol === undefined) return reply.code(401).send({ error: "Sign in again to add a passkey." });
    const account = await accountOf(enrol.session);
    const options = await registrationOptions(ctx.rp, account, enrol.factors.passkeys);
    await ctx.state.put(`register:${enrol.key}`, options.challenge, PENDING_TTL_MS, ctx.now());
    return reply.send(options);
  });

  portal.post("/security/passkeys/verify", async (request, reply) => {
    const enrol = await enrolmentSession(request);
    if (enrol === undefined) return reply.code(401).send({ error: "Sign in again to add a passkey." });
    const challenge = await ctx.state.take(`register:${enrol.key}`, ctx.now());
    const credential = parseCredential<RegistrationResponseJSON>(field(request, "credential"));
    if (challenge === undefined || credential === undefined) {
      return reply.code(400).send({ error: "That didn't work. Try again." });
    }
    const passkey = await verifyRegistration(ctx.rp, credential, challenge).catch(() => undefined);
    if (passkey === undefined) return reply.code(400).send({ error: "That didn't work. Try again." });
    await ctx.backend.addPasskey(enrol.session.accountId, passkey);
    await recordChange(request, enrol.session.accountId, "passkey");
    return reply.send({ redirect: ctx.path("/security?done=passkey") });
  });

  portal.post("/signout", async (request, reply) => {
    await ctx.beforeSignOut?.(request);
    await endSession(ctx, request, reply);
    // With the administration pages, their home is where signing in starts again.
    return reply.redirect(ctx.path(ctx.beforeSignOut === undefined ? "/signin" : "/"), 303);
  });

  async function recordChange(request: FastifyRequest, accountId: string, change: "totp" | "passkey") {
    await ctx.backend.recordSecurityChange({
      at: ctx.now(),
      ip: request.ip,
      accountId,
      change,
      result: "success",
    });
  }

  async function accountOf(session: Session) {
    const account = await ctx.backend.getAccount(session.accountId);
    return {
      objectId: session.accountId,
      upn: account?.upn ?? session.upn,
      displayName: account?.displayName ?? session.upn,
    };
  }
}
