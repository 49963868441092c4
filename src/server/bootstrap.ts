import { randomBytes } from "node:crypto";
import { appendAuditEvent } from "../audit/index.ts";
import {
  createTenant,
  createUser,
  findUserByUpn,
  getTenant,
  type Tenant,
  TenantNotFoundError,
} from "../directory/index.ts";
import {
  BUILT_IN_ROLE_IDS,
  createRoleAssignment,
  type RbacEngine,
  ROOT_SCOPE,
  SYSTEM_ACTOR,
} from "../rbac/index.ts";
import {
  createRootManagementGroup,
  createSubscription,
  listChildren,
  managementGroupId,
  ResourceNotFoundError,
  requireResource,
} from "../resources/index.ts";
import type { Repositories } from "./wire-services.ts";

export interface BootstrapOptions {
  readonly tenantName?: string;
  readonly adminUpn?: string;
  /** From HOSTPASS_ADMIN_PASSWORD; generated when absent. */
  readonly adminPassword?: string;
}

export interface BootstrapResult {
  readonly tenant: Tenant;
  readonly adminId: string;
  readonly adminUpn: string;
  readonly subscriptionId: string;
  /** Set only when this call created the administrator and generated its password: print it once. */
  readonly generatedPassword?: string;
  /** Names of the steps this call performed (empty on a later start). */
  readonly created: readonly string[];
}

export const DEFAULT_TENANT_NAME = "default";
export const DEFAULT_ADMIN_UPN = "admin@hostpass.local";

/**
 * First start: a tenant, its root management group, a default subscription and a first
 * administrator who is Owner at the root. Every step checks before it creates, so a start that
 * crashed half-way finishes the job next time, and a later start changes nothing.
 */
export async function bootstrap(
  repos: Repositories,
  rbac: (tenantId: string) => Promise<RbacEngine>,
  options: BootstrapOptions = {},
): Promise<BootstrapResult> {
  const created: string[] = [];
  const record = async (tenantId: string, action: string, target: string) => {
    created.push(action);
    await appendAuditEvent(repos.audit, {
      tenantId,
      actor: "system",
      action,
      target,
      result: "success",
      details: { bootstrap: true },
    });
  };
  const name = options.tenantName ?? DEFAULT_TENANT_NAME;
  let tenant = await getTenant(repos.directory, name).catch((e) =>
    e instanceof TenantNotFoundError ? undefined : Promise.reject(e),
  );
  if (tenant === undefined) {
    tenant = await createTenant(repos.directory, { name, displayName: "Default Directory" });
    await record(tenant.id, "tenants/write", tenant.id);
  }
  const tenantId = tenant.id;
  const root = managementGroupId(tenantId);
  if (!(await exists(() => requireResource(repos.resources, root)))) {
    await createRootManagementGroup(repos.resources, { tenantId });
    await record(tenantId, "Management/managementGroups/write", root.id);
  }
  let subscription = (await listChildren(repos.resources, root.id, { limit: 1 }, "subscription")).items[0];
  if (subscription === undefined) {
    subscription = await createSubscription(repos.resources, {
      tenantId,
      displayName: "Default Subscription",
    });
    await record(tenantId, "Resources/subscriptions/write", subscription.id);
  }
  const adminUpn = options.adminUpn ?? DEFAULT_ADMIN_UPN;
  let admin = await findUserByUpn(repos.directory, tenantId, adminUpn);
  let generatedPassword: string | undefined;
  if (admin === undefined) {
    if (options.adminPassword === undefined) generatedPassword = randomBytes(18).toString("base64url");
    const password = options.adminPassword ?? (generatedPassword as string);
    admin = await createUser(repos.directory, {
      tenantId,
      upn: adminUpn,
      displayName: "Administrator",
      password,
      // A generated password has been printed on a terminal: it is good for one sign-in only.
      passwordChangeRequired: generatedPassword !== undefined,
    });
    await record(tenantId, "Directory/users/write", admin.id);
  }
  const engine = await rbac(tenantId);
  const owners = await repos.rbac.listRoleAssignments(
    tenantId,
    { scope: ROOT_SCOPE, principalId: admin.id },
    { limit: 1000 },
  );
  if (!owners.items.some((a) => a.roleDefinitionId === BUILT_IN_ROLE_IDS.owner)) {
    const input = {
      role: BUILT_IN_ROLE_IDS.owner,
      principalId: admin.id,
      principalType: "User" as const,
      scope: ROOT_SCOPE,
    };
    const assignment = await createRoleAssignment(engine, SYSTEM_ACTOR, input);
    await record(tenantId, "Authorization/roleAssignments/write", assignment.id);
  }
  const subscriptionId = subscription.id.slice(subscription.id.lastIndexOf("/") + 1);
  return { tenant, adminId: admin.id, adminUpn: admin.upn, subscriptionId, generatedPassword, created };
}

async function exists(lookup: () => Promise<unknown>): Promise<boolean> {
  try {
    await lookup();
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundError) return false;
    throw error;
  }
}
