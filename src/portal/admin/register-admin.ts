/**
 * The administration pages, registered inside the portal plugin (same form parser, CSRF check,
 * security headers and error pages as the sign-in pages).
 */
import type { FastifyInstance } from "fastify";
import type { PortalContext } from "../lib/context.ts";
import type { RefusePage } from "../lib/forms.ts";
import type { AdminContext } from "./lib/api-client.ts";
import type { AdminDeps } from "./ports.ts";
import { registerConditionalAccess } from "./routes/conditional-access.ts";
import { registerCreateMachine } from "./routes/create-machine.ts";
import { registerDirectoryApps } from "./routes/directory-apps.ts";
import { registerDirectoryGroups } from "./routes/directory-groups.ts";
import { registerDirectoryIdentityProviders } from "./routes/directory-identity-providers.ts";
import { registerDirectoryUsers } from "./routes/directory-users.ts";
import { registerHome } from "./routes/home.ts";
import { registerIam } from "./routes/iam.ts";
import { registerLogs } from "./routes/logs.ts";
import { registerPortalSignIn } from "./routes/portal-sign-in.ts";
import { registerResources } from "./routes/resources.ts";

export function registerAdmin(
  app: FastifyInstance,
  portal: PortalContext,
  deps: AdminDeps,
  refuse: RefusePage,
): AdminContext {
  const ctx: AdminContext = { portal, deps };
  registerPortalSignIn(app, ctx, refuse);
  registerHome(app, ctx);
  registerResources(app, ctx);
  registerCreateMachine(app, ctx);
  registerIam(app, ctx);
  registerDirectoryUsers(app, ctx);
  registerDirectoryGroups(app, ctx);
  registerDirectoryApps(app, ctx);
  registerDirectoryIdentityProviders(app, ctx);
  registerLogs(app, ctx);
  registerConditionalAccess(app, ctx);
  return ctx;
}
