import type { Account } from "../session/accounts.ts";

/** An account as `az account show` prints it. */
export function describeAccount(account: Account): Record<string, unknown> {
  return {
    cloudName: account.cloud,
    id: account.subscription?.id ?? account.tenantId,
    name: account.subscription?.name ?? "N/A(tenant level account)",
    tenantId: account.tenantId,
    user: account.user,
    isDefault: account.isDefault,
    state: "Enabled",
  };
}
