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

/**
 * `account list|show -o table`: az's columns (Name, CloudName, SubscriptionId, TenantId, State,
 * IsDefault) and the signed-in user, since one cloud often holds several identities here.
 */
export function accountRows(result: unknown): unknown {
  const row = (a: ReturnType<typeof describeAccount>) => ({
    Name: a.name,
    User: (a.user as Account["user"] | undefined)?.name,
    CloudName: a.cloudName,
    SubscriptionId: a.id,
    TenantId: a.tenantId,
    State: a.state,
    IsDefault: a.isDefault,
  });
  return Array.isArray(result) ? result.map(row) : row(result as ReturnType<typeof describeAccount>);
}
