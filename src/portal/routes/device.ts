/**
 * Device-code approval (RFC 8628): the signed-in user types the code the other device shows, sees
 * which application asks from which address for what, and approves or denies. Wrong codes count
 * against the source address and the account, so codes cannot be guessed by trying them here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { lockedMessage, lockOf, record } from "../lib/complete-sign-in.ts";
import { type PortalContext, readSession, requestInfo, type Session } from "../lib/context.ts";
import { field, queryString, type RefusePage, sendPage } from "../lib/forms.ts";
import { normalizeUserCode } from "../lib/user-code.ts";
import { deviceApprovalPage, deviceCodePage, deviceDonePage } from "../views/device.ts";

const BAD_CODE = "That code isn't valid or has expired. Check the code on your device and try again.";

export function registerDeviceRoutes(portal: FastifyInstance, ctx: PortalContext, refuse: RefusePage): void {
  const base = ctx.path("");

  portal.get("/device", async (request, reply) => {
    const session = await readSession(ctx, request);
    if (session === undefined) {
      return reply.redirect(ctx.path(`/signin?return=${encodeURIComponent(request.url)}`), 303);
    }
    // A prefilled code (verification_uri_complete) is only shown: the user still reads and approves.
    const typed = queryString(request, "code") ?? queryString(request, "user_code");
    const code = typed === undefined ? undefined : normalizeUserCode(typed);
    const csrf = ctx.csrf.tokenFor(request, reply);
    return sendPage(reply, 200, deviceCodePage({ base, csrf, upn: session.upn, code }));
  });

  /** Looks the typed code up under the limits; on failure the reply is already sent. */
  async function lookup(request: FastifyRequest, reply: FastifyReply, session: Session) {
    const now = ctx.now();
    // Per account: few tries. Per address: the looser source limit, as people behind one NAT share it.
    const keys = { account: [`device-acct:${session.accountId}`], source: [`device-ip:${request.ip}`] };
    const typed = field(request, "user_code");
    const again = (status: number, error: string) =>
      sendPage(
        reply,
        status,
        deviceCodePage({ base, csrf: ctx.csrf.tokenFor(request, reply), upn: session.upn, error }),
      );
    const locked = await lockOf(async () => {
      await ctx.limiters.userCode.assertAllowed(keys.account, now);
      await ctx.limiters.source.assertAllowed(keys.source, now);
    });
    if (locked) {
      await record(ctx, request, { method: "device_code", result: "locked", accountId: session.accountId });
      reply.header("retry-after", String(locked.retryAfterSeconds));
      return { sent: again(429, lockedMessage(locked)) };
    }
    const code = normalizeUserCode(typed);
    const device =
      code === undefined ? undefined : await ctx.backend.lookupDeviceCode(code, requestInfo(request, reply));
    if (device === undefined) {
      await ctx.limiters.userCode.recordFailure(keys.account, now);
      await ctx.limiters.source.recordFailure(keys.source, now);
      await record(ctx, request, {
        method: "device_code",
        result: "failure",
        accountId: session.accountId,
        reason: "bad_user_code",
      });
      return { sent: again(400, BAD_CODE) };
    }
    return { device };
  }

  portal.post("/device", async (request, reply) => {
    const session = await readSession(ctx, request);
    if (session === undefined)
      return refuse(request, reply, 401, "Sign in first, then enter the code again.");
    const found = await lookup(request, reply, session);
    if (found.device === undefined) return found.sent;
    const page = deviceApprovalPage({
      base,
      csrf: ctx.csrf.tokenFor(request, reply),
      upn: session.upn,
      device: found.device,
    });
    return sendPage(reply, 200, page);
  });

  portal.post("/device/decision", async (request, reply) => {
    const session = await readSession(ctx, request);
    if (session === undefined)
      return refuse(request, reply, 401, "Sign in first, then enter the code again.");
    const found = await lookup(request, reply, session);
    if (found.device === undefined) return found.sent;
    const { device } = found;
    const approved = field(request, "decision") === "approve";
    const info = requestInfo(request, reply);
    const principal = { accountId: session.accountId, amr: session.amr, authTime: session.authTime };
    if (approved) await ctx.backend.approveDeviceCode(device.userCode, principal, info);
    else await ctx.backend.denyDeviceCode(device.userCode, info);
    await ctx.limiters.userCode.recordSuccess([`device-acct:${session.accountId}`]);
    await record(ctx, request, {
      method: "device_code",
      result: approved ? "success" : "denied",
      accountId: session.accountId,
      upn: session.upn,
      clientId: device.clientId,
    });
    return sendPage(reply, 200, deviceDonePage({ base, approved, clientName: device.clientName }));
  });
}
