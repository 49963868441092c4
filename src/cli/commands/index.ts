/**
 * Every command of the CLI: its words and where its file is. main.ts loads only the file of the
 * command being run (start-up time matters for `hostpass ssh vm`); help and completion load all.
 * One file per verb: `commands/<group>/<verb>.ts` (nested groups nest folders).
 */
import type { CliCommand } from "../command.ts";

export interface CommandEntry {
  readonly path: readonly string[];
  readonly load: () => Promise<CliCommand<never>>;
}

/** Descriptions of command groups (the words before a verb). */
export const GROUPS: Readonly<Record<string, string>> = {
  account: "Manage the signed-in accounts.",
  ad: "Manage the directory: users, groups, service principals.",
  "ad group": "Manage groups.",
  "ad group member": "Manage a group's members.",
  "ad signed-in-user": "The signed-in user.",
  "ad sp": "Manage service principals (automation identities).",
  "ad sp credential": "Manage a service principal's secrets.",
  "ad user": "Manage users.",
  audit: "Operator checks of the activity log.",
  cloud: "Manage cloud profiles: the hostpass services this CLI can talk to.",
  "conditional-access": "Conditional access for Linux VM Sign-In: policies and named locations.",
  "conditional-access named-location": "Manage named locations (IP ranges).",
  "conditional-access policy": "Manage conditional access policies.",
  device: "This machine's device identity, for conditional access.",
  group: "Manage resource groups.",
  monitor: "The activity and sign-in logs.",
  "monitor activity-log": "Who changed what, and every certificate and login.",
  "monitor sign-in-log": "Every sign-in attempt.",
  role: "Manage role-based access: who may log in to which machines, and at what level.",
  "role assignment": "Manage role assignments.",
  "role definition": "Manage role definitions.",
  ssh: "SSH into Linux machines with short-lived certificates.",
  vm: "Manage Linux virtual machines.",
  "vm extension": "Manage a VM's extensions (SSHLoginForLinux enables directory login).",
  "vm identity": "Manage a VM's managed identity.",
  vmss: "Manage virtual machine scale sets.",
  "vmss extension": "Manage a scale set's extensions.",
  "vmss identity": "Manage a scale set's managed identity.",
};

const entry = <M>(
  path: string,
  load: () => Promise<M>,
  pick: (module: M) => CliCommand<never>,
): CommandEntry => ({ path: path.split(" "), load: async () => pick(await load()) });

export const COMMANDS: readonly CommandEntry[] = [
  entry(
    "server",
    () => import("./server.ts"),
    (m) => m.serverCommand,
  ),
  entry(
    "login",
    () => import("./login.ts"),
    (m) => m.loginCommand,
  ),
  entry(
    "logout",
    () => import("./logout.ts"),
    (m) => m.logoutCommand,
  ),
  entry(
    "account list",
    () => import("./account/list.ts"),
    (m) => m.accountListCommand,
  ),
  entry(
    "account set",
    () => import("./account/set.ts"),
    (m) => m.accountSetCommand,
  ),
  entry(
    "account show",
    () => import("./account/show.ts"),
    (m) => m.accountShowCommand,
  ),
  entry(
    "cloud list",
    () => import("./cloud/list.ts"),
    (m) => m.cloudListCommand,
  ),
  entry(
    "cloud register",
    () => import("./cloud/register.ts"),
    (m) => m.cloudRegisterCommand,
  ),
  entry(
    "cloud set",
    () => import("./cloud/set.ts"),
    (m) => m.cloudSetCommand,
  ),
  entry(
    "cloud show",
    () => import("./cloud/show.ts"),
    (m) => m.cloudShowCommand,
  ),
  entry(
    "cloud unregister",
    () => import("./cloud/unregister.ts"),
    (m) => m.cloudUnregisterCommand,
  ),
  entry(
    "device register",
    () => import("./device/register.ts"),
    (m) => m.deviceRegisterCommand,
  ),
  entry(
    "device show",
    () => import("./device/show.ts"),
    (m) => m.deviceShowCommand,
  ),
  entry(
    "group create",
    () => import("./group/create.ts"),
    (m) => m.groupCreateCommand,
  ),
  entry(
    "group delete",
    () => import("./group/delete.ts"),
    (m) => m.groupDeleteCommand,
  ),
  entry(
    "group list",
    () => import("./group/list.ts"),
    (m) => m.groupListCommand,
  ),
  entry(
    "group show",
    () => import("./group/show.ts"),
    (m) => m.groupShowCommand,
  ),
  entry(
    "vm create",
    () => import("./vm/create.ts"),
    (m) => m.vmCreateCommand,
  ),
  entry(
    "vm delete",
    () => import("./vm/delete.ts"),
    (m) => m.vmDeleteCommand,
  ),
  entry(
    "vm extension delete",
    () => import("./vm/extension/delete.ts"),
    (m) => m.vmExtensionDeleteCommand,
  ),
  entry(
    "vm extension list",
    () => import("./vm/extension/list.ts"),
    (m) => m.vmExtensionListCommand,
  ),
  entry(
    "vm extension set",
    () => import("./vm/extension/set.ts"),
    (m) => m.vmExtensionSetCommand,
  ),
  entry(
    "vm extension show",
    () => import("./vm/extension/show.ts"),
    (m) => m.vmExtensionShowCommand,
  ),
  entry(
    "vm identity assign",
    () => import("./vm/identity/assign.ts"),
    (m) => m.vmIdentityAssignCommand,
  ),
  entry(
    "vm identity remove",
    () => import("./vm/identity/remove.ts"),
    (m) => m.vmIdentityRemoveCommand,
  ),
  entry(
    "vm identity show",
    () => import("./vm/identity/show.ts"),
    (m) => m.vmIdentityShowCommand,
  ),
  entry(
    "vm list",
    () => import("./vm/list.ts"),
    (m) => m.vmListCommand,
  ),
  entry(
    "vm list-ip-addresses",
    () => import("./vm/list-ip-addresses.ts"),
    (m) => m.vmListIpAddressesCommand,
  ),
  entry(
    "vm show",
    () => import("./vm/show.ts"),
    (m) => m.vmShowCommand,
  ),
  entry(
    "vmss create",
    () => import("./vmss/create.ts"),
    (m) => m.vmssCreateCommand,
  ),
  entry(
    "vmss delete",
    () => import("./vmss/delete.ts"),
    (m) => m.vmssDeleteCommand,
  ),
  entry(
    "vmss extension delete",
    () => import("./vmss/extension/delete.ts"),
    (m) => m.vmssExtensionDeleteCommand,
  ),
  entry(
    "vmss extension list",
    () => import("./vmss/extension/list.ts"),
    (m) => m.vmssExtensionListCommand,
  ),
  entry(
    "vmss extension set",
    () => import("./vmss/extension/set.ts"),
    (m) => m.vmssExtensionSetCommand,
  ),
  entry(
    "vmss extension show",
    () => import("./vmss/extension/show.ts"),
    (m) => m.vmssExtensionShowCommand,
  ),
  entry(
    "vmss identity assign",
    () => import("./vmss/identity/assign.ts"),
    (m) => m.vmssIdentityAssignCommand,
  ),
  entry(
    "vmss identity remove",
    () => import("./vmss/identity/remove.ts"),
    (m) => m.vmssIdentityRemoveCommand,
  ),
  entry(
    "vmss identity show",
    () => import("./vmss/identity/show.ts"),
    (m) => m.vmssIdentityShowCommand,
  ),
  entry(
    "vmss list",
    () => import("./vmss/list.ts"),
    (m) => m.vmssListCommand,
  ),
  entry(
    "vmss list-instances",
    () => import("./vmss/list-instances.ts"),
    (m) => m.vmssListInstancesCommand,
  ),
  entry(
    "vmss show",
    () => import("./vmss/show.ts"),
    (m) => m.vmssShowCommand,
  ),
  entry(
    "vmss update",
    () => import("./vmss/update.ts"),
    (m) => m.vmssUpdateCommand,
  ),
  entry(
    "vmss update-instances",
    () => import("./vmss/update-instances.ts"),
    (m) => m.vmssUpdateInstancesCommand,
  ),
  entry(
    "role assignment create",
    () => import("./role/assignment/create.ts"),
    (m) => m.roleAssignmentCreateCommand,
  ),
  entry(
    "role assignment delete",
    () => import("./role/assignment/delete.ts"),
    (m) => m.roleAssignmentDeleteCommand,
  ),
  entry(
    "role assignment list",
    () => import("./role/assignment/list.ts"),
    (m) => m.roleAssignmentListCommand,
  ),
  entry(
    "role definition create",
    () => import("./role/definition/create.ts"),
    (m) => m.roleDefinitionCreateCommand,
  ),
  entry(
    "role definition delete",
    () => import("./role/definition/delete.ts"),
    (m) => m.roleDefinitionDeleteCommand,
  ),
  entry(
    "role definition list",
    () => import("./role/definition/list.ts"),
    (m) => m.roleDefinitionListCommand,
  ),
  entry(
    "ad group create",
    () => import("./ad/group/create.ts"),
    (m) => m.adGroupCreateCommand,
  ),
  entry(
    "ad group delete",
    () => import("./ad/group/delete.ts"),
    (m) => m.adGroupDeleteCommand,
  ),
  entry(
    "ad group list",
    () => import("./ad/group/list.ts"),
    (m) => m.adGroupListCommand,
  ),
  entry(
    "ad group member add",
    () => import("./ad/group/member/add.ts"),
    (m) => m.adGroupMemberAddCommand,
  ),
  entry(
    "ad group member list",
    () => import("./ad/group/member/list.ts"),
    (m) => m.adGroupMemberListCommand,
  ),
  entry(
    "ad group member remove",
    () => import("./ad/group/member/remove.ts"),
    (m) => m.adGroupMemberRemoveCommand,
  ),
  entry(
    "ad group show",
    () => import("./ad/group/show.ts"),
    (m) => m.adGroupShowCommand,
  ),
  entry(
    "ad signed-in-user show",
    () => import("./ad/signed-in-user/show.ts"),
    (m) => m.adSignedInUserShowCommand,
  ),
  entry(
    "ad sp create-for-rbac",
    () => import("./ad/sp/create-for-rbac.ts"),
    (m) => m.adSpCreateForRbacCommand,
  ),
  entry(
    "ad sp credential reset",
    () => import("./ad/sp/credential/reset.ts"),
    (m) => m.adSpCredentialResetCommand,
  ),
  entry(
    "ad sp delete",
    () => import("./ad/sp/delete.ts"),
    (m) => m.adSpDeleteCommand,
  ),
  entry(
    "ad sp list",
    () => import("./ad/sp/list.ts"),
    (m) => m.adSpListCommand,
  ),
  entry(
    "ad sp show",
    () => import("./ad/sp/show.ts"),
    (m) => m.adSpShowCommand,
  ),
  entry(
    "ad user create",
    () => import("./ad/user/create.ts"),
    (m) => m.adUserCreateCommand,
  ),
  entry(
    "ad user delete",
    () => import("./ad/user/delete.ts"),
    (m) => m.adUserDeleteCommand,
  ),
  entry(
    "ad user list",
    () => import("./ad/user/list.ts"),
    (m) => m.adUserListCommand,
  ),
  entry(
    "ad user show",
    () => import("./ad/user/show.ts"),
    (m) => m.adUserShowCommand,
  ),
  entry(
    "ad user update",
    () => import("./ad/user/update.ts"),
    (m) => m.adUserUpdateCommand,
  ),
  entry(
    "monitor activity-log list",
    () => import("./monitor/activity-log/list.ts"),
    (m) => m.monitorActivityLogListCommand,
  ),
  entry(
    "monitor sign-in-log list",
    () => import("./monitor/sign-in-log/list.ts"),
    (m) => m.monitorSignInLogListCommand,
  ),
  entry(
    "conditional-access named-location create",
    () => import("./conditional-access/named-location/create.ts"),
    (m) => m.conditionalAccessNamedLocationCreateCommand,
  ),
  entry(
    "conditional-access named-location delete",
    () => import("./conditional-access/named-location/delete.ts"),
    (m) => m.conditionalAccessNamedLocationDeleteCommand,
  ),
  entry(
    "conditional-access named-location list",
    () => import("./conditional-access/named-location/list.ts"),
    (m) => m.conditionalAccessNamedLocationListCommand,
  ),
  entry(
    "conditional-access named-location show",
    () => import("./conditional-access/named-location/show.ts"),
    (m) => m.conditionalAccessNamedLocationShowCommand,
  ),
  entry(
    "conditional-access policy create",
    () => import("./conditional-access/policy/create.ts"),
    (m) => m.conditionalAccessPolicyCreateCommand,
  ),
  entry(
    "conditional-access policy delete",
    () => import("./conditional-access/policy/delete.ts"),
    (m) => m.conditionalAccessPolicyDeleteCommand,
  ),
  entry(
    "conditional-access policy list",
    () => import("./conditional-access/policy/list.ts"),
    (m) => m.conditionalAccessPolicyListCommand,
  ),
  entry(
    "conditional-access policy show",
    () => import("./conditional-access/policy/show.ts"),
    (m) => m.conditionalAccessPolicyShowCommand,
  ),
  entry(
    "ssh cert",
    () => import("./ssh/cert.ts"),
    (m) => m.sshCertCommand,
  ),
  entry(
    "ad user revoke-sign-in-sessions",
    () => import("./ad/user/revoke-sign-in-sessions.ts"),
    (m) => m.adUserRevokeSignInSessionsCommand,
  ),
  entry(
    "ad sp revoke-sign-in-sessions",
    () => import("./ad/sp/revoke-sign-in-sessions.ts"),
    (m) => m.adSpRevokeSignInSessionsCommand,
  ),
  entry(
    "audit verify",
    () => import("./audit/verify.ts"),
    (m) => m.auditVerifyCommand,
  ),
];
