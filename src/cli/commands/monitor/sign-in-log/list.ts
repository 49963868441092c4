import { Option } from "commander";
import type { CliCommand } from "../../../command.ts";
import { findUser, UUID } from "../../../lib/directory.ts";
import { parseInteger } from "../../../lib/parse.ts";
import { type TimeWindowArgs, timeWindow, timeWindowOptions } from "../../../lib/time-window.ts";
import { openApi } from "../../../session/api.ts";
import { collect } from "../activity-log/list.ts";

interface Args extends TimeWindowArgs {
  readonly user?: string;
  readonly appId?: string;
  readonly ipAddress?: string;
  readonly result?: string;
  readonly correlationId?: string;
  readonly maxEvents: string;
}

export const monitorSignInLogListCommand: CliCommand<Args> = {
  path: ["monitor", "sign-in-log", "list"],
  summary: "List sign-in attempts (portal, device code, tokens, certificates), newest first.",
  examples: [
    {
      summary: "Failed sign-ins of the last hour.",
      command: "hostpass monitor sign-in-log list --offset 1h --result failure -o table",
    },
    {
      summary: "One user's certificate requests with the policies applied.",
      command: 'hostpass monitor sign-in-log list --user alice@contoso.example --query "[?resourceId!=null]"',
    },
  ],
  configure(command) {
    timeWindowOptions(command)
      .option("--user <upn-or-object-id>", "only this user's (or app's object id's) attempts")
      .option("--app-id <id>", "only attempts for this application id")
      .option("--ip-address <ip>", "only attempts from this address")
      .addOption(
        new Option("--result <result>", "only this outcome").choices([
          "success",
          "failure",
          "interrupted",
          "locked",
          "denied",
        ]),
      )
      .option("--correlation-id <id>", "only attempts of this request")
      .option("--max-events <n>", "at most this many (1-10000)", "50");
  },
  async run(ctx, args) {
    const max = parseInteger("--max-events", args.maxEvents, 1, 10_000);
    const window = timeWindow(args, Date.now());
    const api = await openApi(ctx);
    const userId =
      args.user === undefined || UUID.test(args.user) ? args.user : (await findUser(api, args.user)).id;
    return collect(api, "/auditLogs/signIns", max, {
      ...window,
      userId,
      appId: args.appId,
      ipAddress: args.ipAddress,
      result: args.result,
      correlationId: args.correlationId,
    });
  },
};
