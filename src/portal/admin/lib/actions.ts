/**
 * Form posts that change something: the work's outcome becomes the notice of the page the browser
 * is sent to (post/redirect/get), a refusal by the API included, in its own words.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Notice } from "../views/frame.ts";
import { type AdminPage, adminPost, leaveNotice } from "./admin-route.ts";
import { type AdminContext, type ApiCall, ApiError } from "./api-client.ts";

/** Runs a change; its outcome becomes the notice on the page the browser is sent to. */
export async function change(
  ctx: AdminContext,
  page: AdminPage,
  reply: FastifyReply,
  /** A function when the work decides it (e.g. the page of what it created). */
  to: string | (() => string),
  work: () => Promise<Notice>,
  failure: string,
): Promise<FastifyReply> {
  try {
    await leaveNotice(ctx, page.api, await work());
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    await leaveNotice(ctx, page.api, { tone: "error", text: `${failure}: ${error.message}` });
  }
  return reply.redirect(typeof to === "string" ? to : to(), 303);
}

export interface OneCall {
  readonly call: ApiCall;
  /** Where the browser goes afterwards. */
  readonly to: string;
  readonly done: string;
  /** Put before the API's reason when it refuses. */
  readonly failure: string;
}

/** A form post that is exactly one API call (enable, remove, delete, ...). */
export function oneCallAction(
  app: FastifyInstance,
  ctx: AdminContext,
  path: string,
  plan: (page: AdminPage, request: FastifyRequest) => OneCall,
): void {
  adminPost(app, ctx, path, async (page, request, reply) => {
    const step = plan(page, request);
    return change(
      ctx,
      page,
      reply,
      step.to,
      async () => {
        await page.api.call(step.call);
        return { tone: "success", text: step.done };
      },
      step.failure,
    );
  });
}
