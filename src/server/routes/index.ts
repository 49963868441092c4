import type { App } from "../app.ts";
import type { RouteDeps } from "../deps.ts";
import { registerDeleteRoleAssignment } from "./authorization/delete-role-assignment.ts";
import { registerDeleteRoleDefinition } from "./authorization/delete-role-definition.ts";
import { registerGetRoleAssignment } from "./authorization/get-role-assignment.ts";
import { registerGetRoleDefinition } from "./authorization/get-role-definition.ts";
import { registerListRoleAssignments } from "./authorization/list-role-assignments.ts";
import { registerListRoleDefinitions } from "./authorization/list-role-definitions.ts";
import { registerPostCheckAccess } from "./authorization/post-check-access.ts";
import { registerPutRoleAssignment } from "./authorization/put-role-assignment.ts";
import { registerPutRoleDefinition } from "./authorization/put-role-definition.ts";
import { registerGetHealth } from "./system/get-health.ts";
import { registerGetJwks } from "./system/get-jwks.ts";
import { registerGetMe } from "./system/get-me.ts";

/** Every route of the API, one registration per file. */
export function registerRoutes(app: App, deps: RouteDeps): void {
  registerGetJwks(app, deps);
  registerGetHealth(app, deps);
  registerGetMe(app, deps);

  registerPutRoleAssignment(app, deps);
  registerListRoleAssignments(app, deps);
  registerGetRoleAssignment(app, deps);
  registerDeleteRoleAssignment(app, deps);
  registerListRoleDefinitions(app, deps);
  registerGetRoleDefinition(app, deps);
  registerPutRoleDefinition(app, deps);
  registerDeleteRoleDefinition(app, deps);
  registerPostCheckAccess(app, deps);
}
