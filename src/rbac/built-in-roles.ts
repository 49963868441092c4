/**
 * The built-in roles, with Azure's names and well-known ids so that scripts written for the
 * seed (`--role "Virtual Machine Administrator Login"` or its GUID) work unchanged. Operations
 * are written without the `Microsoft.` prefix; matching accepts it either way.
 *
 * Login is a data action. Owner and Contributor hold only control-plane actions, so they never
 * grant a login (the seed's rule); only the two login roles (or a custom role with login
 * dataActions) do.
 */
import type { Permissions, RoleDefinition } from "./repository.ts";

export const LOGIN_ACTION = "Compute/virtualMachines/login/action";
export const LOGIN_AS_ADMIN_ACTION = "Compute/virtualMachines/loginAsAdmin/action";
export const SCALE_SET_LOGIN_ACTION = "Compute/virtualMachineScaleSets/virtualMachines/login/action";
export const SCALE_SET_LOGIN_AS_ADMIN_ACTION =
  "Compute/virtualMachineScaleSets/virtualMachines/loginAsAdmin/action";

/** Every data action hostpass knows. Anything else passed to `check` is a control-plane action. */
export const DATA_ACTIONS: readonly string[] = [
  LOGIN_ACTION,
  LOGIN_AS_ADMIN_ACTION,
  SCALE_SET_LOGIN_ACTION,
  SCALE_SET_LOGIN_AS_ADMIN_ACTION,
];

export const ROLE_ASSIGNMENT_WRITE = "Authorization/roleAssignments/write";
export const ROLE_ASSIGNMENT_DELETE = "Authorization/roleAssignments/delete";
export const ROLE_DEFINITION_WRITE = "Authorization/roleDefinitions/write";
export const ROLE_DEFINITION_DELETE = "Authorization/roleDefinitions/delete";

export const BUILT_IN_ROLE_IDS = {
  owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  userAccessAdministrator: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  virtualMachineContributor: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
  virtualMachineAdministratorLogin: "1c0163c0-47e6-4577-8991-ea5c82e286e4",
  virtualMachineUserLogin: "fb879df8-f326-4884-b1cf-06f3ad86be52",
} as const;

function perms(p: Partial<Permissions>): Permissions {
  return Object.freeze({
    actions: Object.freeze(p.actions ?? []),
    notActions: Object.freeze(p.notActions ?? []),
    dataActions: Object.freeze(p.dataActions ?? []),
    notDataActions: Object.freeze(p.notDataActions ?? []),
  });
}

function role(
  id: string,
  name: string,
  description: string,
  permissions: Partial<Permissions>,
): RoleDefinition {
  return Object.freeze({
    id,
    tenantId: "",
    name,
    description,
    builtIn: true,
    permissions: perms(permissions),
    assignableScopes: Object.freeze(["/"]),
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    createdBy: "",
  });
}

// What a login-role holder needs to find the machine's addresses (`hostpass ssh vm -n -g`).
// `virtualMachines/read` is listed besides `virtualMachines/*/read` because `*` needs at least
// the segment between, so the latter alone would not cover reading the VM itself.
const LOGIN_READS = [
  "Network/publicIPAddresses/read",
  "Network/virtualNetworks/read",
  "Network/loadBalancers/read",
  "Network/networkInterfaces/read",
  "Compute/virtualMachines/read",
  "Compute/virtualMachines/*/read",
  "Compute/virtualMachineScaleSets/read",
  "Compute/virtualMachineScaleSets/*/read",
];

export const BUILT_IN_ROLES: readonly RoleDefinition[] = Object.freeze([
  role(
    BUILT_IN_ROLE_IDS.owner,
    "Owner",
    "Grants full access to manage all resources, including assigning roles.",
    {
      actions: ["*"],
    },
  ),
  role(
    BUILT_IN_ROLE_IDS.contributor,
    "Contributor",
    "Grants full access to manage all resources, but does not allow you to assign roles.",
    {
      actions: ["*"],
      notActions: ["Authorization/*/Delete", "Authorization/*/Write", "Authorization/elevateAccess/Action"],
    },
  ),
  role(
    BUILT_IN_ROLE_IDS.reader,
    "Reader",
    "View all resources, but does not allow you to make any changes.",
    {
      actions: ["*/read"],
    },
  ),
  role(
    BUILT_IN_ROLE_IDS.userAccessAdministrator,
    "User Access Administrator",
    "Lets you manage user access to resources.",
    { actions: ["*/read", "Authorization/*"] },
  ),
  role(
    BUILT_IN_ROLE_IDS.virtualMachineContributor,
    "Virtual Machine Contributor",
    "Lets you manage virtual machines, but not access to them or to the network they are connected to.",
    {
      actions: [
        "Authorization/*/read",
        "Compute/availabilitySets/*",
        "Compute/locations/*",
        "Compute/virtualMachines/*",
        "Compute/virtualMachineScaleSets/*",
        "Compute/disks/*",
        "Network/*/read",
        "Network/networkInterfaces/*",
        "Resources/subscriptions/resourceGroups/read",
        "Resources/deployments/*",
      ],
    },
  ),
  role(
    BUILT_IN_ROLE_IDS.virtualMachineAdministratorLogin,
    "Virtual Machine Administrator Login",
    "View Virtual Machines in the portal and login as administrator",
    {
      actions: LOGIN_READS,
      dataActions: [
        LOGIN_ACTION,
        LOGIN_AS_ADMIN_ACTION,
        SCALE_SET_LOGIN_ACTION,
        SCALE_SET_LOGIN_AS_ADMIN_ACTION,
      ],
    },
  ),
  role(
    BUILT_IN_ROLE_IDS.virtualMachineUserLogin,
    "Virtual Machine User Login",
    "View Virtual Machines in the portal and login as a regular user.",
    { actions: LOGIN_READS, dataActions: [LOGIN_ACTION, SCALE_SET_LOGIN_ACTION] },
  ),
]);
