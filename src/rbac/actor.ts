import type { Principal, RbacEngine } from "./rbac-engine.ts";

/**
 * The service itself, for bootstrap (the first Owner at the root) and migrations. A symbol, so
 * no request body or token can ever produce it.
 */
export const SYSTEM_ACTOR: unique symbol = Symbol("hostpass.rbac.system");

/** Who performs a management call: a signed-in principal, or the service itself. */
export type Actor = Principal | typeof SYSTEM_ACTOR;

/** Authorises `actor` for `action` at each scope; returns the id to record as `createdBy`. */
export async function authorizeActor(
  engine: RbacEngine,
  actor: Actor,
  action: string,
  scopes: readonly string[],
): Promise<string> {
  if (actor === SYSTEM_ACTOR) return "system";
  for (const scope of scopes) await engine.authorize(actor, action, scope);
  return actor.id;
}
