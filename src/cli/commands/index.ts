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
  "ad sp credential": "Manage a service principal's secrets and public keys.",
  "ad user": "Manage users.",
  audit: "Operator checks of the activity log.",
  cloud: "Manage cloud profiles: the hostpass services this CLI can talk to.",
  "conditional-access": "Conditional access for Linux VM Sign-In: policies and named locations.",
  "conditional-access named-location": "Manage named locations (IP ranges).",
  "conditional-access policy": "Manage conditional access policies.",
  device: "This machine's device identity, for conditional access.",
  extension: "az's command extensions: hostpass has the ssh commands built in.",
  group: "Manage resource groups.",
  idp: "Upstream OpenID Connect providers: the organisation's sign-in.",
  monitor: "The activity and sign-in logs.",
  "monitor activity-log": "Who changed what, and every certificate and login.",
  "monitor sign-in-log": "Every sign-in attempt.",
  role: "Manage role-based access: who may log in to which machines, and at what level.",
  "role assignment": "Manage role assignments.",
  "role definition": "Manage role definitions.",
  scim: "SCIM 2.0 provisioning from the organisation's identity provider.",
  "scim token": "The tenant's SCIM bearer token.",
  ssh: "SSH into Linux machines with short-lived certificates.",
  "ssh ca": "The SSH certificate authority's keys: show and rotate them (administrators).",
  "ssh cert": "Write an SSH certificate for a key; list and revoke issued certificates (administrators).",
  vm: "Manage Linux virtual machines.",
  "vm extension": "Manage a VM's extensions (SSHLoginForLinux enables directory login).",
  "vm identity": "Manage a VM's managed identity.",
  "vm session": "The live SSH sessions on a VM.",
  vmss: "Manage virtual machine scale sets.",
  "vmss extension": "Manage a scale set's extensions.",
  "vmss identity": "Manage a scale set's managed identity.",
};

/** The command a command file exports (each exports exactly one). */
function commandIn(module: Record<string, unknown>): CliCommand<never> {
  const found = Object.values(module).filter(
    (v): v is CliCommand<never> => typeof v === "object" && v !== null && "run" in v && "path" in v,
  );
  if (found.length !== 1) throw new TypeError("a command file exports exactly one command");
  return found[0] as CliCommand<never>;
}

const cmd = (path: string, load: () => Promise<Record<string, unknown>>): CommandEntry => ({
  path: path.split(" "),
  load: async () => commandIn(await load()),
});

export const COMMANDS: readonly CommandEntry[] = [
  cmd("server", () => import("./server.ts")),
  cmd("login", () => import("./login.ts")),
  cmd("logout", () => import("./logout.ts")),
  cmd("account list", () => import("./account/list.ts")),
  cmd("account set", () => import("./account/set.ts")),
  cmd("account show", () => import("./account/show.ts")),
  cmd("cloud list", () => import("./cloud/list.ts")),
  cmd("cloud register", () => import("./cloud/register.ts")),
  cmd("cloud set", () => import("./cloud/set.ts")),
  cmd("cloud show", () => import("./cloud/show.ts")),
  cmd("cloud unregister", () => import("./cloud/unregister.ts")),
  cmd("device register", () => import("./device/register.ts")),
  cmd("device show", () => import("./device/show.ts")),
  cmd("group create", () => import("./group/create.ts")),
  cmd("group delete", () => import("./group/delete.ts")),
  cmd("group list", () => import("./group/list.ts")),
  cmd("group show", () => import("./group/show.ts")),
  cmd("vm create", () => import("./vm/create.ts")),
  cmd("vm delete", () => import("./vm/delete.ts")),
  cmd("vm extension delete", () => import("./vm/extension/delete.ts")),
  cmd("vm extension list", () => import("./vm/extension/list.ts")),
  cmd("vm extension set", () => import("./vm/extension/set.ts")),
  cmd("vm extension show", () => import("./vm/extension/show.ts")),
  cmd("vm identity assign", () => import("./vm/identity/assign.ts")),
  cmd("vm identity remove", () => import("./vm/identity/remove.ts")),
  cmd("vm identity show", () => import("./vm/identity/show.ts")),
  cmd("vm list", () => import("./vm/list.ts")),
  cmd("vm list-ip-addresses", () => import("./vm/list-ip-addresses.ts")),
  cmd("vm session terminate", () => import("./vm/session/terminate.ts")),
  cmd("vm show", () => import("./vm/show.ts")),
  cmd("vmss create", () => import("./vmss/create.ts")),
  cmd("vmss delete", () => import("./vmss/delete.ts")),
  cmd("vmss extension delete", () => import("./vmss/extension/delete.ts")),
  cmd("vmss extension list", () => import("./vmss/extension/list.ts")),
  cmd("vmss extension set", () => import("./vmss/extension/set.ts")),
  cmd("vmss extension show", () => import("./vmss/extension/show.ts")),
  cmd("vmss identity assign", () => import("./vmss/identity/assign.ts")),
  cmd("vmss identity remove", () => import("./vmss/identity/remove.ts")),
  cmd("vmss identity show", () => import("./vmss/identity/show.ts")),
  cmd("vmss list", () => import("./vmss/list.ts")),
  cmd("vmss list-instances", () => import("./vmss/list-instances.ts")),
  cmd("vmss show", () => import("./vmss/show.ts")),
  cmd("vmss update", () => import("./vmss/update.ts")),
  cmd("vmss update-instances", () => import("./vmss/update-instances.ts")),
  cmd("role assignment create", () => import("./role/assignment/create.ts")),
  cmd("role assignment delete", () => import("./role/assignment/delete.ts")),
  cmd("role assignment list", () => import("./role/assignment/list.ts")),
  cmd("role definition create", () => import("./role/definition/create.ts")),
  cmd("role definition delete", () => import("./role/definition/delete.ts")),
  cmd("role definition list", () => import("./role/definition/list.ts")),
  cmd("ad group create", () => import("./ad/group/create.ts")),
  cmd("ad group delete", () => import("./ad/group/delete.ts")),
  cmd("ad group list", () => import("./ad/group/list.ts")),
  cmd("ad group member add", () => import("./ad/group/member/add.ts")),
  cmd("ad group member list", () => import("./ad/group/member/list.ts")),
  cmd("ad group member remove", () => import("./ad/group/member/remove.ts")),
  cmd("ad group show", () => import("./ad/group/show.ts")),
  cmd("ad signed-in-user show", () => import("./ad/signed-in-user/show.ts")),
  cmd("ad sp create-for-rbac", () => import("./ad/sp/create-for-rbac.ts")),
  cmd("ad sp credential add-key", () => import("./ad/sp/credential/add-key.ts")),
  cmd("ad sp credential reset", () => import("./ad/sp/credential/reset.ts")),
  cmd("ad sp delete", () => import("./ad/sp/delete.ts")),
  cmd("ad sp list", () => import("./ad/sp/list.ts")),
  cmd("ad sp show", () => import("./ad/sp/show.ts")),
  cmd("ad sp update", () => import("./ad/sp/update.ts")),
  cmd("ad user create", () => import("./ad/user/create.ts")),
  cmd("ad user delete", () => import("./ad/user/delete.ts")),
  cmd("ad user list", () => import("./ad/user/list.ts")),
  cmd("ad user show", () => import("./ad/user/show.ts")),
  cmd("ad user update", () => import("./ad/user/update.ts")),
  cmd("monitor activity-log list", () => import("./monitor/activity-log/list.ts")),
  cmd("monitor sign-in-log list", () => import("./monitor/sign-in-log/list.ts")),
  cmd(
    "conditional-access named-location create",
    () => import("./conditional-access/named-location/create.ts"),
  ),
  cmd(
    "conditional-access named-location delete",
    () => import("./conditional-access/named-location/delete.ts"),
  ),
  cmd("conditional-access named-location list", () => import("./conditional-access/named-location/list.ts")),
  cmd("conditional-access named-location show", () => import("./conditional-access/named-location/show.ts")),
  cmd("conditional-access policy create", () => import("./conditional-access/policy/create.ts")),
  cmd("conditional-access policy delete", () => import("./conditional-access/policy/delete.ts")),
  cmd("conditional-access policy list", () => import("./conditional-access/policy/list.ts")),
  cmd("conditional-access policy show", () => import("./conditional-access/policy/show.ts")),
  cmd("ssh cert", () => import("./ssh/cert.ts")),
  cmd("ssh cert list", () => import("./ssh/cert/list.ts")),
  cmd("ssh cert revoke", () => import("./ssh/cert/revoke.ts")),
  cmd("ssh ca rotate", () => import("./ssh/ca/rotate.ts")),
  cmd("ssh ca show", () => import("./ssh/ca/show.ts")),
  cmd("ad user revoke-sign-in-sessions", () => import("./ad/user/revoke-sign-in-sessions.ts")),
  cmd("ad sp revoke-sign-in-sessions", () => import("./ad/sp/revoke-sign-in-sessions.ts")),
  cmd("idp add", () => import("./idp/add.ts")),
  cmd("idp list", () => import("./idp/list.ts")),
  cmd("idp show", () => import("./idp/show.ts")),
  cmd("idp update", () => import("./idp/update.ts")),
  cmd("idp delete", () => import("./idp/delete.ts")),
  cmd("scim token create", () => import("./scim/token/create.ts")),
  cmd("scim token show", () => import("./scim/token/show.ts")),
  cmd("scim token delete", () => import("./scim/token/delete.ts")),
  cmd("ssh config", () => import("./ssh/config.ts")),
  cmd("ssh vm", () => import("./ssh/vm.ts")),
  cmd("audit verify", () => import("./audit/verify.ts")),
  cmd("extension add", () => import("./extension/add.ts")),
  cmd("extension show", () => import("./extension/show.ts")),
  cmd("completion", () => import("./completion.ts")),
];

/** Every command, loaded (for help-wide checks and shell completion). */
export async function loadAllCommands(): Promise<readonly CliCommand<never>[]> {
  return Promise.all(COMMANDS.map((c) => c.load()));
}
