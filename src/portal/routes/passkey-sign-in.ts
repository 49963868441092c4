/**
 * Passkey sign-in (JSON endpoints for static/webauthn.js): as the only step with a discoverable
 * credential, or as the second factor after a password. Challenges are server-side and single-use.
 */
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import type { FastifyInstance, FastifyReply } from "fastify";
import { authenticationOptions, type Passkey, verifyAuthentication } from "../../mfa/index.ts";
import { findDuplicateJsonKey } from "../../shared/strict-json.ts";
import type { SignInAccount } from "../backend.ts";
import {
  completeSignIn,
  FLOW_EXPIRED,
  lockedMessage,
  lockOf,
  record,
  SIGN_IN_FAILED,
} from "../lib/complete-sign-in.ts";
import { type PortalContext, readFlow } from "../lib/context.ts";
import { field } from "../lib/forms.ts";

const CHALLENGE_TTL_MS = 5 * 60_000;

/** The browser's WebAuthn response (JSON in a form field); undefined for anything else, a name twice included. */
export function parseCredential<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || typeof (value as { id?: unknown }).id !== "string") {
      return undefined;
    }
    if (findDuplicateJsonKey(text) !== undefined) return undefined;
    return value as T;
  } catch {
    return undefined;
  }
}

function jsonError(reply: FastifyReply, status: number, error: string) {
  return reply.code(status).send({ error });
}

export function registerPasskeySignInRoutes(portal: FastifyInstance, ctx: PortalContext): void {
  portal.post("/signin/passkey/options", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    if (flow === undefined) return jsonError(reply, 400, FLOW_EXPIRED);
    const locked = await lockOf(() => ctx.limiters.source.assertAllowed([`ip:${request.ip}`], ctx.now()));
    if (locked) return jsonError(reply, 429, lockedMessage(locked));
    // After a password: this account's passkeys. First step: any discoverable passkey of this site.
    let allowed: readonly Passkey[] = [];
    if (flow.accountId !== undefined) {
      allowed = (await ctx.backend.listFactors(flow.accountId)).passkeys;
      if (allowed.length === 0) return jsonError(reply, 400, SIGN_IN_FAILED);
    }
    const options = await authenticationOptions(ctx.rp, allowed);
    await ctx.state.put(`challenge:${flow.id}`, options.challenge, CHALLENGE_TTL_MS, ctx.now());
    return reply.send(options);
  });

  portal.post("/signin/passkey/verify", async (request, reply) => {
    const flow = await readFlow(ctx, request);
    const challenge = flow && (await ctx.state.take(`challenge:${flow.id}`, ctx.now()));
    if (flow === undefined || challenge === undefined) return jsonError(reply, 400, FLOW_EXPIRED);
    const now = ctx.now();
    const sourceKey = [`ip:${request.ip}`];
    const credential = parseCredential<AuthenticationResponseJSON>(field(request, "credential"));

    let account: SignInAccount | undefined;
    if (credential !== undefined) {
      account =
        flow.accountId !== undefined
          ? { id: flow.accountId, upn: flow.upn ?? "", displayName: "" }
          : await ctx.backend.findPasskeyOwner(credential.id);
    }
    const accountKey = account ? [`acct:${account.id}`] : [];
    const locked = await lockOf(async () => {
      await ctx.limiters.source.assertAllowed(sourceKey, now);
      await ctx.limiters.account.assertAllowed(accountKey, now);
    });
    if (locked) return jsonError(reply, 429, lockedMessage(locked));

    let verified: Passkey | undefined;
    if (credential !== undefined && account !== undefined && userHandleMatches(credential, account.id)) {
      const { passkeys } = await ctx.backend.listFactors(account.id);
      verified = await verifyAuthentication(ctx.rp, credential, challenge, passkeys).catch(() => undefined);
    }
    if (account === undefined || verified === undefined) {
      await ctx.limiters.source.recordFailure(sourceKey, now);
      await ctx.limiters.account.recordFailure(accountKey, now);
      await record(ctx, request, {
        method: "passkey",
        result: "failure",
        accountId: account?.id,
        reason: "bad_assertion",
      });
      return jsonError(reply, 401, SIGN_IN_FAILED);
    }
    await ctx.backend.updatePasskey(account.id, verified);
    await ctx.limiters.account.recordSuccess(accountKey);
    // User verification is required, so a passkey alone is two factors (device + PIN or biometric).
    const amr = flow.accountId !== undefined ? [...(flow.amr ?? []), "hwk", "mfa"] : ["hwk", "mfa"];
    const redirect = await completeSignIn(ctx, request, reply, flow, account, amr, "passkey");
    return reply.send({ redirect });
  });
}

/** The user handle a discoverable credential returns is the account's object id (see mfa registrationOptions). */
function userHandleMatches(credential: AuthenticationResponseJSON, accountId: string): boolean {
  const handle = credential.response?.userHandle;
  if (handle === undefined) return true;
  return typeof handle === "string" && handle === Buffer.from(accountId, "utf8").toString("base64url");
}
