/**
 * What every portal route shares: the resolved dependencies, the request info handed to the
 * backend, and the two server-side records cookies point at (portal session, sign-in flow).
 */
import { randomBytes } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AttemptLimiter, RelyingParty } from "../../mfa/index.ts";
import type { RequestInfo, SignInBackend } from "../backend.ts";
import { clearCookie, cookieName, readCookie, setCookie } from "./cookies.ts";
import type { Csrf } from "./csrf.ts";
import type { PortalStateStore } from "./state-store.ts";

export interface PortalContext {
  readonly backend: SignInBackend;
  readonly rp: RelyingParty;
  readonly issuer: string;
  readonly state: PortalStateStore;
  readonly csrf: Csrf;
  readonly secure: boolean;
  /**
   * Per account (typed UPN or object id): few failures. Per source address: more (NAT). User codes:
   * per signed-in account (the source limit applies as well).
   */
  readonly limiters: {
    readonly account: AttemptLimiter;
    readonly source: AttemptLimiter;
    readonly userCode: AttemptLimiter;
  };
  readonly sessionTtlMs: number;
  readonly recentAuthMs: number;
  now(): number;
  /** A portal path under the plugin's prefix. */
  path(p: string): string;
  /** Runs before a sign-out ends the session (the administration pages revoke their tokens). */
  readonly beforeSignOut?: (request: FastifyRequest) => Promise<void>;
}

export function requestInfo(request: FastifyRequest, reply: FastifyReply): RequestInfo {
  const ua = request.headers["user-agent"];
  return { ip: request.ip, userAgent: typeof ua === "string" ? ua : "", req: request.raw, res: reply.raw };
}

export function newId(): string {
  return randomBytes(32).toString("base64url");
}

/** A signed-in portal user. `authTime` in epoch seconds. */
export interface Session {
  readonly accountId: string;
  readonly upn: string;
  readonly amr: readonly string[];
  readonly authTime: number;
}

const SESSION = "hp_session";

export async function startSession(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  session: Session,
): Promise<void> {
  await endSession(ctx, request, reply);
  const id = newId();
  await ctx.state.put(`session:${id}`, JSON.stringify(session), ctx.sessionTtlMs, ctx.now());
  // Lax: a link from elsewhere (e.g. the device-code URL a terminal printed) still finds the session.
  setCookie(reply, cookieName(SESSION, ctx.secure), id, {
    secure: ctx.secure,
    sameSite: "Lax",
    maxAge: Math.floor(ctx.sessionTtlMs / 1000),
  });
}

export async function readSession(ctx: PortalContext, request: FastifyRequest): Promise<Session | undefined> {
  const id = readCookie(request, cookieName(SESSION, ctx.secure));
  if (id === undefined) return undefined;
  const text = await ctx.state.get(`session:${id}`, ctx.now());
  return text === undefined ? undefined : (JSON.parse(text) as Session);
}

/** The session id, for state that belongs to one session (pending enrolments). */
export function sessionKey(ctx: PortalContext, request: FastifyRequest): string | undefined {
  return readCookie(request, cookieName(SESSION, ctx.secure));
}

export async function endSession(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const id = readCookie(request, cookieName(SESSION, ctx.secure));
  if (id === undefined) return;
  await ctx.state.delete(`session:${id}`);
  clearCookie(reply, cookieName(SESSION, ctx.secure), { secure: ctx.secure, sameSite: "Lax" });
}

/** Where a finished sign-in goes: back to oidc-provider, or to a portal page. */
export type FlowTarget =
  | {
      readonly kind: "interaction";
      readonly uid: string;
      readonly clientId: string;
      readonly clientName: string;
    }
  | { readonly kind: "portal"; readonly returnTo: string };

/** A sign-in in progress. `accountId` is set once the first factor has passed. */
export interface Flow {
  readonly id: string;
  readonly target: FlowTarget;
  readonly accountId?: string;
  readonly upn?: string;
  readonly amr?: readonly string[];
  /** Policy already asks for a second factor: the password alone cannot finish this sign-in. */
  readonly mfaRequired?: boolean;
  /** The password just verified is a temporary one: nothing continues until a new one is set. */
  readonly passwordChangeRequired?: boolean;
}

const FLOW = "hp_flow";
const FLOW_TTL_MS = 10 * 60_000;

export async function saveFlow(ctx: PortalContext, reply: FastifyReply, flow: Flow): Promise<void> {
  await ctx.state.put(`flow:${flow.id}`, JSON.stringify(flow), FLOW_TTL_MS, ctx.now());
  setCookie(reply, cookieName(FLOW, ctx.secure), flow.id, { secure: ctx.secure, sameSite: "Strict" });
}

export async function readFlow(ctx: PortalContext, request: FastifyRequest): Promise<Flow | undefined> {
  const id = readCookie(request, cookieName(FLOW, ctx.secure));
  if (id === undefined) return undefined;
  const text = await ctx.state.get(`flow:${id}`, ctx.now());
  return text === undefined ? undefined : (JSON.parse(text) as Flow);
}

export async function dropFlow(ctx: PortalContext, flow: Flow, reply: FastifyReply): Promise<void> {
  await ctx.state.delete(`flow:${flow.id}`);
  await ctx.state.delete(`challenge:${flow.id}`);
  clearCookie(reply, cookieName(FLOW, ctx.secure), { secure: ctx.secure, sameSite: "Strict" });
}

/** Only local absolute paths: an open redirect would make the sign-in page a phishing tool. */
export function safeReturnTo(value: string | null | undefined, fallback: string): string {
  if (typeof value !== "string" || value.length > 512) return fallback;
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : fallback;
}
