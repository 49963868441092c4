import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { findUser, UUID } from "../../../lib/directory.ts";
import { parseInteger } from "../../../lib/parse.ts";
import { scopePath } from "../../../lib/resource-paths.ts";
import { type TimeWindowArgs, timeWindow, timeWindowOptions } from "../../../lib/time-window.ts";
import { openApi } from "../../../session/api.ts";

interface Args extends TimeWindowArgs {
  readonly caller?: string;
  readonly resourceId?: string;
  readonly operation?: string;
  readonly correlationId?: string;
  readonly status?: string;
  readonly maxEvents: string;
}

/** `--status`: hostpass's results, and az's words for two of them. */
const STATUSES: Readonly<Record<string, string>> = {
  success: "success",
  succeeded: "success",
  failure: "failure",
  failed: "failure",
  denied: "denied",
};

function statusOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const status = STATUSES[value.toLowerCase()];
  if (status === undefined)
    throw new CliUsageError(`--status: ${JSON.stringify(value)} is not one of success, failure, denied`);
  return status;
}

export const monitorActivityLogListCommand: CliCommand<Args> = {
  path: ["monitor", "activity-log", "list"],
  summary: "List activity-log events (role changes, certificates, logins, ...), newest first.",
  examples: [
    {
      summary: "The last day's events as a table.",
      command: "hostpass monitor activity-log list --offset 1d -o table",
    },
    {
      summary: "Calls refused by authorization (403) in the last hour, reads included.",
      command: "hostpass monitor activity-log list --offset 1h --status denied -o table",
    },
    {
      summary: "Role assignment changes made by one user.",
      command:
        "hostpass monitor activity-log list --caller alice@contoso.example --operation Authorization/roleAssignments/write",
    },
  ],
  configure(command) {
    timeWindowOptions(command)
      .option("--caller <upn-or-object-id>", "only what this principal did")
      .option("--resource-id <id>", "only events on this resource (or scope)")
      .option("--operation <action>", "only this action, e.g. Ssh/certificates/issue")
      .option("--correlation-id <id>", "only events of this request")
      .option("--status <status>", "only events with this result: success, failure or denied")
      .option("--max-events <n>", "at most this many (1-10000)", "50");
  },
  async run(ctx, args) {
    const max = parseInteger("--max-events", args.maxEvents, 1, 10_000);
    const result = statusOf(args.status);
    const window = timeWindow(args, Date.now());
    const api = await openApi(ctx);
    const actor =
      args.caller === undefined || UUID.test(args.caller)
        ? args.caller
        : (await findUser(api, args.caller)).id;
    return collect(api, "/providers/Insights/eventtypes/management/values", max, {
      ...window,
      actor,
      target: args.resourceId === undefined ? undefined : scopePath(args.resourceId) || "/",
      action: args.operation,
      correlationId: args.correlationId,
      result,
    });
  },
};

/** Pages until `max` items (the service pages by at most 1000). */
export async function collect(
  api: Awaited<ReturnType<typeof openApi>>,
  path: string,
  max: number,
  query: Record<string, string | undefined>,
): Promise<unknown[]> {
  const items: unknown[] = [];
  let next: string | undefined;
  do {
    const page = (await api.get(next ?? path, next ? undefined : { ...query, top: Math.min(max, 1000) })) as {
      value: unknown[];
      nextLink?: string;
    };
    items.push(...page.value);
    next = page.nextLink;
  } while (next !== undefined && items.length < max);
  return items.slice(0, max);
}
