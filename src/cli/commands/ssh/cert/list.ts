import type { CliCommand } from "../../../command.ts";
import { parseInteger } from "../../../lib/parse.ts";
import { openApi } from "../../../session/api.ts";
import { collect } from "../../monitor/activity-log/list.ts";

interface Args {
  readonly principal?: string;
  readonly serial?: string;
  readonly all?: boolean;
  readonly revoked?: boolean;
  readonly maxItems: string;
}

/** `hostpass ssh cert list`: issued certificates, newest first (valid and not revoked by default). */
export const sshCertListCommand: CliCommand<Args> = {
  path: ["ssh", "cert", "list"],
  summary: "List issued SSH certificates, newest first (by default those valid now and not revoked).",
  examples: [
    {
      summary: "The certificates a user holds now, as a table.",
      command: "hostpass ssh cert list --principal alice@contoso.example -o table",
    },
    {
      summary: "One certificate, whatever its status.",
      command: "hostpass ssh cert list --serial 4611686018427387905 --all",
    },
    { summary: "Every revoked certificate.", command: "hostpass ssh cert list --revoked" },
  ],
  configure(command) {
    command
      .option("--principal <upn-or-id>", "only this user's or service principal's (UPN, object id or app id)")
      .option("--serial <n>", "only the certificate with this serial")
      .option("--all", "also expired and revoked certificates")
      .option("--revoked", "only revoked certificates")
      .option("--max-items <n>", "at most this many (1-100000)", "1000");
  },
  async run(ctx, args) {
    const max = parseInteger("--max-items", args.maxItems, 1, 100_000);
    const status = args.revoked ? "revoked" : args.all ? "all" : undefined;
    const api = await openApi(ctx);
    return collect(api, "/ssh/certificates", max, {
      principal: args.principal,
      serial: args.serial,
      status,
    });
  },
};
