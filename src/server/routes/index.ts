import type { App } from "../app.ts";
import type { RouteDeps } from "../deps.ts";
import { registerGetAgentStream } from "./agents/get-stream.ts";
import { registerPostAgentJoin } from "./agents/post-join.ts";
import { registerPostAgentReports } from "./agents/post-reports.ts";
import { registerListActivityLog } from "./audit/list-activity-log.ts";
import { registerListSignIns } from "./audit/list-sign-ins.ts";
import { registerDeleteRoleAssignment } from "./authorization/delete-role-assignment.ts";
import { registerDeleteRoleDefinition } from "./authorization/delete-role-definition.ts";
import { registerGetRoleAssignment } from "./authorization/get-role-assignment.ts";
import { registerGetRoleDefinition } from "./authorization/get-role-definition.ts";
import { registerListRoleAssignments } from "./authorization/list-role-assignments.ts";
import { registerListRoleDefinitions } from "./authorization/list-role-definitions.ts";
import { registerPostCheckAccess } from "./authorization/post-check-access.ts";
import { registerPutRoleAssignment } from "./authorization/put-role-assignment.ts";
import { registerPutRoleDefinition } from "./authorization/put-role-definition.ts";
import { registerEvaluateConditionalAccess } from "./conditional-access/evaluate.ts";
import { registerConditionalAccessRoutes } from "./conditional-access/index.ts";
import { registerDeleteGroup } from "./directory/delete-group.ts";
import { registerDeleteGroupMember } from "./directory/delete-group-member.ts";
import { registerDeleteServicePrincipal } from "./directory/delete-service-principal.ts";
import { registerDeleteUser } from "./directory/delete-user.ts";
import { registerDeviceRoutes } from "./directory/devices.ts";
import { registerGetGroup } from "./directory/get-group.ts";
import { registerGetServicePrincipal } from "./directory/get-service-principal.ts";
import { registerGetSignedInUser } from "./directory/get-signed-in-user.ts";
import { registerGetUser } from "./directory/get-user.ts";
import { registerIdentityProviderRoutes } from "./directory/identity-providers.ts";
import { registerListGroupMembers } from "./directory/list-group-members.ts";
import { registerListGroups } from "./directory/list-groups.ts";
import { registerListServicePrincipals } from "./directory/list-service-principals.ts";
import { registerListUsers } from "./directory/list-users.ts";
import { registerPatchServicePrincipal } from "./directory/patch-service-principal.ts";
import { registerPatchUser } from "./directory/patch-user.ts";
import { registerPostGroup } from "./directory/post-group.ts";
import { registerPostGroupMember } from "./directory/post-group-member.ts";
import { registerPostRevokeSignInSessions } from "./directory/post-revoke-sign-in-sessions.ts";
import { registerPostServicePrincipal } from "./directory/post-service-principal.ts";
import { registerPostServicePrincipalKey } from "./directory/post-service-principal-key.ts";
import { registerPostServicePrincipalSecret } from "./directory/post-service-principal-secret.ts";
import { registerPostUser } from "./directory/post-user.ts";
import { registerScimTokenRoutes } from "./directory/scim-token.ts";
import { registerServicePrincipalRedirectUris } from "./directory/service-principal-redirect-uris.ts";
import { registerDeleteMachine } from "./resources/delete-machine.ts";
import { registerDeleteMachineExtension } from "./resources/delete-machine-extension.ts";
import { registerDeleteMachineIdentity } from "./resources/delete-machine-identity.ts";
import { registerDeleteTreeResource } from "./resources/delete-tree-resource.ts";
import { registerGetMachine } from "./resources/get-machine.ts";
import { registerGetScaleSetInstance } from "./resources/get-scale-set-instance.ts";
import { registerGetTreeResource } from "./resources/get-tree-resource.ts";
import { registerListMachineExtensions } from "./resources/list-machine-extensions.ts";
import { registerListMachines } from "./resources/list-machines.ts";
import { registerListManagementGroups } from "./resources/list-management-groups.ts";
import { registerListResourceGroups } from "./resources/list-resource-groups.ts";
import { registerListScaleSetInstances } from "./resources/list-scale-set-instances.ts";
import { registerListSubscriptions } from "./resources/list-subscriptions.ts";
import { registerPatchScaleSet } from "./resources/patch-scale-set.ts";
import { registerPostJoinCode } from "./resources/post-join-code.ts";
import { registerPostMachineIdentity } from "./resources/post-machine-identity.ts";
import { registerPostScaleSetInstanceUpgrade } from "./resources/post-scale-set-instance-upgrade.ts";
import { registerPostTerminateSessions } from "./resources/post-terminate-sessions.ts";
import { registerPutMachine } from "./resources/put-machine.ts";
import { registerPutMachineExtension } from "./resources/put-machine-extension.ts";
import { registerPutManagementGroup } from "./resources/put-management-group.ts";
import { registerPutResourceGroup } from "./resources/put-resource-group.ts";
import { registerPutScaleSetInstance } from "./resources/put-scale-set-instance.ts";
import { registerPutSubscription } from "./resources/put-subscription.ts";
import { registerGetKrl } from "./ssh/get-krl.ts";
import { registerSshRoutes } from "./ssh/index.ts";
import { registerGetHealth } from "./system/get-health.ts";
import { registerGetJwks } from "./system/get-jwks.ts";
import { registerGetMe } from "./system/get-me.ts";

/** `<public URL>/scim/v2`, from the authorization server's issuer (`<public URL>/oauth2`). */
export function scimBaseUrl(issuer: string): string {
  return `${issuer.replace(/\/oauth2\/?$/, "")}/scim/v2`;
}

/**
 * Where an upstream provider sends the browser back (register it there as the redirect URI): one
 * address per provider, so an answer is bound to the provider it came back for.
 */
export function federatedCallbackUrl(issuer: string, providerId: string): string {
  return `${issuer.replace(/\/oauth2\/?$/, "")}/portal/signin/federated/${providerId}/callback`;
}

/** Every route of the API, one registration per file. */
export function registerRoutes(app: App, deps: RouteDeps): void {
  registerGetJwks(app, deps);
  registerGetHealth(app, deps);
  registerGetMe(app, deps);
  if (deps.conditionalAccess) registerConditionalAccessRoutes(app, deps.conditionalAccess, deps);
  registerEvaluateConditionalAccess(app, deps);
  registerDeviceRoutes(app, deps);

  registerPostUser(app, deps);
  registerListUsers(app, deps);
  registerGetUser(app, deps);
  registerGetSignedInUser(app, deps);
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
  registerPostServicePrincipalKey(app, deps);
  registerPatchServicePrincipal(app, deps);
  registerPostRevokeSignInSessions(app, deps);
  if (deps.identityProviders)
    registerIdentityProviderRoutes(
      app,
      deps,
      deps.identityProviders,
      (id) => federatedCallbackUrl(deps.trust().issuer, id),
      (id) => `${deps.trust().issuer.replace(/\/oauth2\/?$/, "")}/directory/identityProviders/${id}/jwks`,
    );
  if (deps.federation) registerServicePrincipalRedirectUris(app, deps, deps.federation);
  if (deps.federation)
    registerScimTokenRoutes(app, deps, deps.federation, () => scimBaseUrl(deps.trust().issuer));

  registerPutManagementGroup(app, deps);
  registerListManagementGroups(app, deps);
  registerPutSubscription(app, deps);
  registerListSubscriptions(app, deps);
  registerPutResourceGroup(app, deps);
  registerListResourceGroups(app, deps);
  registerGetTreeResource(app, deps);
  registerDeleteTreeResource(app, deps);
  registerPutMachine(app, deps);
  registerListMachines(app, deps);
  registerGetMachine(app, deps);
  registerDeleteMachine(app, deps);
  registerPostMachineIdentity(app, deps);
  registerDeleteMachineIdentity(app, deps);
  registerPutMachineExtension(app, deps);
  registerListMachineExtensions(app, deps);
  registerDeleteMachineExtension(app, deps);
  registerListScaleSetInstances(app, deps);
  registerPutScaleSetInstance(app, deps);
  registerGetScaleSetInstance(app, deps);
  registerPostScaleSetInstanceUpgrade(app, deps);
  registerPatchScaleSet(app, deps);
  registerListActivityLog(app, deps);
  registerListSignIns(app, deps);

  registerPutRoleAssignment(app, deps);
  registerListRoleAssignments(app, deps);
  registerGetRoleAssignment(app, deps);
  registerDeleteRoleAssignment(app, deps);
  registerListRoleDefinitions(app, deps);
  registerGetRoleDefinition(app, deps);
  registerPutRoleDefinition(app, deps);
  registerDeleteRoleDefinition(app, deps);
  registerPostCheckAccess(app, deps);

  const host = deps.hostAgents;
  if (host) {
    registerPostAgentJoin(app, deps, host);
    registerGetAgentStream(app, deps, host);
    registerPostAgentReports(app, deps, host);
    registerGetKrl(app, host);
    registerPostJoinCode(app, deps, host);
    registerPostTerminateSessions(app, deps, host);
  }
  if (deps.ssh) registerSshRoutes(app, deps.ssh, deps);
}
