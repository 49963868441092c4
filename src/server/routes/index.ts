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
import { registerDeleteGroup } from "./directory/delete-group.ts";
import { registerDeleteGroupMember } from "./directory/delete-group-member.ts";
import { registerDeleteServicePrincipal } from "./directory/delete-service-principal.ts";
import { registerDeleteUser } from "./directory/delete-user.ts";
import { registerGetGroup } from "./directory/get-group.ts";
import { registerGetServicePrincipal } from "./directory/get-service-principal.ts";
import { registerGetUser } from "./directory/get-user.ts";
import { registerListGroupMembers } from "./directory/list-group-members.ts";
import { registerListGroups } from "./directory/list-groups.ts";
import { registerListServicePrincipals } from "./directory/list-service-principals.ts";
import { registerListUsers } from "./directory/list-users.ts";
import { registerPatchUser } from "./directory/patch-user.ts";
import { registerPostGroup } from "./directory/post-group.ts";
import { registerPostGroupMember } from "./directory/post-group-member.ts";
import { registerPostServicePrincipal } from "./directory/post-service-principal.ts";
import { registerPostServicePrincipalSecret } from "./directory/post-service-principal-secret.ts";
import { registerPostUser } from "./directory/post-user.ts";
import { registerGetHealth } from "./system/get-health.ts";
import { registerGetJwks } from "./system/get-jwks.ts";
import { registerGetMe } from "./system/get-me.ts";

/** Every route of the API, one registration per file. */
export function registerRoutes(app: App, deps: RouteDeps): void {
  registerGetJwks(app, deps);
  registerGetHealth(app, deps);
  registerGetMe(app, deps);

  registerPostUser(app, deps);
  registerListUsers(app, deps);
  registerGetUser(app, deps);
  registerPatchUser(app, deps);
  registerDeleteUser(app, deps);
  registerPostGroup(app, deps);
  registerListGroups(app, deps);
  registerGetGroup(app, deps);
  registerDeleteGroup(app, deps);
  registerListGroupMembers(app, deps);
  registerPostGroupMember(app, deps);
  registerDeleteGroupMember(app, deps);
  registerPostServicePrincipal(app, deps);
  registerListServicePrincipals(app, deps);
  registerGetServicePrincipal(app, deps);
  registerDeleteServicePrincipal(app, deps);
  registerPostServicePrincipalSecret(app, deps);

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
