/** The scope of a role command: `--scope`, or `-g` (a resource group), or the subscription, as az has it. */
import { CliUsageError } from "../errors.ts";
import type { ApiClient } from "../session/api.ts";
import { resourceGroupPath, scopePath, subscriptionPath } from "./resource-paths.ts";

export interface ScopeArgs {
  readonly scope?: string;
  readonly resourceGroup?: string;
}

/** The scope as an API path prefix ("" for the root scope "/"). */
export async function scopeOf(api: ApiClient, args: ScopeArgs): Promise<string> {
  if (args.scope !== undefined && args.resourceGroup !== undefined)
    throw new CliUsageError("give either --scope or -g/--resource-group, not both");
  if (args.scope !== undefined) {
    if (!args.scope.startsWith("/"))
      throw new CliUsageError(`--scope: ${JSON.stringify(args.scope)} must start with /`);
    return scopePath(args.scope);
  }
  const subscription = await api.subscriptionId();
  return args.resourceGroup !== undefined
    ? resourceGroupPath(subscription, args.resourceGroup)
    : subscriptionPath(subscription);
}

/** An assignment or definition id (as `list` shows it) as an API path. */
export function scopePathOf(id: string): string {
  if (!id.startsWith("/")) throw new CliUsageError(`${JSON.stringify(id)} is not a resource id`);
  return scopePath(id);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The object id of `--assignee` (a UPN, an object id or an app id), for list filters. */
export async function assigneeObjectId(api: ApiClient, assignee: string): Promise<string> {
  if (assignee.includes("@"))
    return ((await api.get(`/directory/users/${encodeURIComponent(assignee)}`)) as { id: string }).id;
  if (!UUID.test(assignee))
    throw new CliUsageError(`--assignee: ${JSON.stringify(assignee)} is not a UPN or an id`);
  const sps = await api.list<{ id: string; appId: string }>("/directory/servicePrincipals").catch(() => []);
  return sps.find((sp) => sp.appId.toLowerCase() === assignee.toLowerCase())?.id ?? assignee.toLowerCase();
}
