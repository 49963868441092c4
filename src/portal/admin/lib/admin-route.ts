/**
 * How every administration route runs: find the session's API client (or send the browser to
 * sign in, and refuse a form post from a session that has ended), work out which sections the
 * user may open, and turn API refusals into a page that says what happened. A page that needs
 * something the user may not do never offers it; when the API refuses anyway, the refusal is shown.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendPage } from "../../lib/forms.ts";
import { html, type SafeHtml } from "../../lib/html.ts";
import { type FrameInput, frame, type Nav, type Notice, type Section } from "../views/frame.ts";
import { type AdminContext, ApiClient, ApiError, SessionEndedError } from "./api-client.ts";

export interface AdminPage {
  readonly api: ApiClient;
  readonly csrf: string;
  readonly nav: Nav;
  readonly base: string;
  /** A notice left by the form post that redirected here (post/redirect/get). */
  readonly notice: Notice | undefined;
  /** The portal's clock (epoch ms). */
  now(): number;
  /** Renders a page in the frame. */
  render(
    section: Section,
    title: string,
    body: SafeHtml,
    extra?: Partial<Pick<FrameInput, "crumbs" | "notice" | "refreshSeconds">>,
  ): string;
}

export type AdminHandler = (
  page: AdminPage,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<FastifyReply | string>;

const FLASH_TTL_MS = 60_000;
export const SESSION_ENDED = "Your session has ended. Sign in again to continue.";

/** Registers a GET page; without a usable session the browser goes to sign in and comes back. */
export function adminGet(app: FastifyInstance, ctx: AdminContext, path: string, handler: AdminHandler): void {
  app.get(path, async (request, reply) => run(ctx, request, reply, handler, "get"));
}

/** Registers a form post; without a usable session nothing happens and the page says so. */
export function adminPost(
  app: FastifyInstance,
  ctx: AdminContext,
  path: string,
  handler: AdminHandler,
): void {
  app.post(path, async (request, reply) => run(ctx, request, reply, handler, "post"));
}

async function run(
  ctx: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  handler: AdminHandler,
  kind: "get" | "post",
): Promise<FastifyReply> {
  const base = ctx.portal.path("");
  const signIn = () =>
    kind === "get"
      ? reply.redirect(`${base}/start?return=${encodeURIComponent(request.url)}`, 303)
      : sendPage(reply, 401, sessionEndedPage(base));
  const api = await ApiClient.of(ctx, request);
  if (api === undefined) return signIn();
  try {
    const page = await adminPage(ctx, api, request, reply);
    const result = await handler(page, request, reply);
    // A handler that answers with a page may have set a status (a form shown again with its error).
    return typeof result === "string" ? sendPage(reply, reply.statusCode, result) : result;
  } catch (error) {
    if (error instanceof SessionEndedError) return signIn();
    if (error instanceof ApiError) {
      const page = await adminPage(ctx, api, request, reply).catch(() => undefined);
      if (page === undefined) return signIn();
      const body = html`<p class="alert error" role="alert" data-error-code="${error.code}">${error.message}</p><p><a href="${base}/">Back to home</a></p>`;
      return sendPage(reply, error.status, page.render("home", titleOf(error.status), body));
    }
    throw error;
  }
}

function titleOf(status: number): string {
  if (status === 403) return "Not allowed";
  if (status === 404) return "Not found";
  return "Something went wrong";
}

async function adminPage(
  ctx: AdminContext,
  api: ApiClient,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<AdminPage> {
  const base = ctx.portal.path("");
  const csrf = ctx.portal.csrf.tokenFor(request, reply);
  const [directory, logs, access] = await api.canAll([
    ["Directory/users/read", "/"],
    ["Insights/eventtypes/values/read", "/"],
    ["Directory/conditionalAccess/read", "/"],
  ]);
  const nav: Nav = { directory: directory === true, logs: logs === true, access: access === true };
  const notice = await takeNotice(ctx, api);
  return {
    api,
    csrf,
    nav,
    base,
    notice,
    now: () => ctx.portal.now(),
    render: (section, title, body, extra = {}) =>
      frame({ base, csrf, upn: api.session.upn, nav, section, title, body, notice, ...extra }),
  };
}

/** Leaves a notice for the next page this session loads (after a form post's redirect). */
export async function leaveNotice(ctx: AdminContext, api: ApiClient, notice: Notice): Promise<void> {
  await ctx.portal.state.put(
    `notice:${api.sessionId}`,
    JSON.stringify(notice),
    FLASH_TTL_MS,
    ctx.portal.now(),
  );
}

async function takeNotice(ctx: AdminContext, api: ApiClient): Promise<Notice | undefined> {
  const text = await ctx.portal.state.take(`notice:${api.sessionId}`, ctx.portal.now());
  return text === undefined ? undefined : (JSON.parse(text) as Notice);
}

/** What a form post from an ended session gets: nothing done, and a way back in. */
export function sessionEndedPage(base: string): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Session ended · hostpass</title><link rel="stylesheet" href="${base}/portal/static/portal.css"></head>
<body><main class="card"><div class="brand"><span class="logo" aria-hidden="true"></span>hostpass</div>
<h1>Session ended</h1><p role="alert" data-session-ended>${SESSION_ENDED} Nothing was changed.</p>
<p><a href="${base}/">Sign in again</a></p></main></body></html>`}`;
}
