import type { FastifyInstance, FastifyRequest, RouteOptions } from "fastify";
import type { Principal as RbacPrincipal, PrincipalType as RbacPrincipalType } from "../../rbac/index.ts";
import type { ApiPrincipal } from "../auth/tokens.ts";
import type { RouteDeps } from "../deps.ts";
import { principalOf } from "./authenticate.ts";

/** An RBAC action checked at a scope before the handler runs. */
export interface Permission {
  readonly action: string;
  /** The scope (a resource id) the action is checked at; built from validated params. */
  readonly scope: (request: FastifyRequest) => string;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * Every authenticated route says how it is authorised: an action checked here, or "domain"
     * when the domain call it makes authorises the actor itself (role assignments, custom roles).
     * A route with neither fails at registration, so nothing is ever reachable unauthorised.
     */
    permission?: Permission | "domain" | "self";
  }
}

const RBAC_TYPE: Readonly<Record<ApiPrincipal["type"], RbacPrincipalType>> = {
  user: "User",
  servicePrincipal: "ServicePrincipal",
  managedIdentity: "ManagedIdentity",
};

/** The token principal as RBAC sees it. */
export function actorOf(request: FastifyRequest): RbacPrincipal {
  const principal = principalOf(request);
  return { id: principal.objectId, type: RBAC_TYPE[principal.type] };
}

/** Registers the onRoute guard and the preHandler that calls RBAC `authorize()`. Before any route. */
export function registerAuthorize(app: FastifyInstance, deps: Pick<RouteDeps, "rbac">): void {
  app.addHook("onRoute", (route: RouteOptions) => {
    const config = route.config as { public?: boolean; permission?: unknown } | undefined;
    if (config?.public === true || config?.permission !== undefined) return;
    throw new TypeError(`route ${String(route.method)} ${route.url} declares no permission`);
  });
  app.addHook("preHandler", async (request) => {
    const permission = request.routeOptions.config.permission;
    if (permission === undefined || typeof permission === "string") return;
    const engine = await deps.rbac(principalOf(request).tenantId);
    await engine.authorize(actorOf(request), permission.action, permission.scope(request));
  });
}
