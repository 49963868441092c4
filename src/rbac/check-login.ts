import { loginDataAction } from "./login-action.ts";
import type { CheckResult, Principal, RbacEngine } from "./rbac-engine.ts";
import { parseScope } from "./scope.ts";

export interface LoginDecision extends CheckResult {
  /** Administrator Login (passwordless sudo) rather than User Login. */
  readonly admin: boolean;
}

/**
 * What a login to `resourceId` may be: admin (loginAsAdmin), user (login) or refused. Fetches the
 * group closure and the ancestry once and evaluates both data actions over them, so the CA and the
 * host agent get one consistent answer.
 */
export async function checkLogin(
  engine: RbacEngine,
  principal: Principal,
  resourceId: string,
): Promise<LoginDecision> {
  const parsed = parseScope(resourceId);
  await engine.fresh();
  const [groups, keys] = await Promise.all([engine.groupsOf(principal.id), engine.ancestorKeys(parsed)]);
  const list = [...groups];
  const admin = engine.evaluate(principal.id, list, loginDataAction(resourceId, true), keys, resourceId);
  if (admin.allowed) return { ...admin, admin: true };
  const user = engine.evaluate(principal.id, list, loginDataAction(resourceId, false), keys, resourceId);
  return { ...user, admin: false };
}
