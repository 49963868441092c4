import { Option } from "commander";
import type { CliCommand } from "../../../command.ts";
import { CliUsageError } from "../../../errors.ts";
import { openApi } from "../../../session/api.ts";

interface Args {
  readonly serial?: string;
  readonly principal?: string;
  readonly reason?: string;
}

/**
 * `hostpass ssh cert revoke --serial N | --principal P [--reason R]`: the certificate (or every
 * valid certificate of the principal) goes into the KRL hosts keep, so it stops logging in at once.
 */
export const sshCertRevokeCommand: CliCommand<Args> = {
  path: ["ssh", "cert", "revoke"],
  summary: "Revoke an SSH certificate by serial, or every valid certificate of a user or service principal.",
  examples: [
    {
      summary: "Revoke one certificate (its serial from `ssh cert list` or `ssh-keygen -L`).",
      command: 'hostpass ssh cert revoke --serial 4611686018427387905 --reason "key left on a shared host"',
    },
    {
      summary: "Revoke every certificate a user holds now.",
      command: "hostpass ssh cert revoke --principal alice@contoso.example",
    },
  ],
  confirmation: true,
  configure(command) {
    command
      .addOption(new Option("--serial <n>", "the certificate's serial (1 to 2^63-1)").conflicts("principal"))
      .option("--principal <upn-or-id>", "every valid certificate of this user or service principal")
      .option("--reason <text>", "kept with the revocation (default: revoked by an administrator)");
  },
  async run(ctx, args) {
    if ((args.serial === undefined) === (args.principal === undefined))
      throw new CliUsageError("give --serial or --principal.");
    const api = await openApi(ctx);
    return api.post("/ssh/revocations", {
      ...(args.serial === undefined ? {} : { serial: args.serial }),
      ...(args.principal === undefined ? {} : { principal: args.principal }),
      ...(args.reason === undefined ? {} : { reason: args.reason }),
    });
  },
};
