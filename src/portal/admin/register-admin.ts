/**
 * The administration pages, registered inside the portal plugin (same form parser, CSRF check,
 * security headers and error pages as the sign-in pages).
 */
import type { FastifyInstance } from "fastify";
import type { PortalContext } from "../lib/context.ts";
import type { RefusePage } from "../lib/forms.ts";
import type { AdminContext } from "./lib/api-client.ts";
import type { AdminDeps } from "./ports.ts";
import { registerHome } from "./routes/home.ts";
import { registerPortalSignIn } from "./routes/portal-sign-in.ts";

export function registerAdmin(
  app: FastifyInstance,
  portal: PortalContext,
  deps: AdminDeps,
  refuse: RefusePage,
): AdminContext {
  const ctx: AdminContext = { portal, deps };
  registerPortalSignIn(app, ctx, refuse);
  registerHome(app, ctx);
  return ctx;
}
