import { Option } from "commander";
import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

interface Args {
  readonly purpose: "user" | "host";
  readonly step?: "announce" | "activate" | "retire";
  readonly force?: boolean;
}

const NEXT: Readonly<Record<string, string>> = {
  announce:
    "Announced: hosts trust the new key from their next update. Run the command again to activate it once every host has it.",
  activate:
    "Activated: new certificates are signed by the new key; hosts still trust the previous one. Run the command again to retire it once the certificates it signed have expired.",
  retire: "Retired: hosts no longer trust the previous key.",
};

/**
 * `hostpass ssh ca rotate [--purpose user|host] [--step announce|activate|retire]`: one step of a
 * CA key rotation. Without `--step`, the step the keys are at. Hosts trust old and new keys during
 * the overlap; retiring early (certificates of the previous key still valid) needs `--force`.
 */
export const sshCaRotateCommand: CliCommand<Args> = {
  path: ["ssh", "ca", "rotate"],
  summary: "Rotate an SSH CA key one step: announce a new key, activate it, retire the previous one.",
  examples: [
    {
      summary: "Announce a new user CA key (hosts start trusting it).",
      command: "hostpass ssh ca rotate --step announce",
    },
    {
      summary: "Then make it the signing key (the old one stays trusted).",
      command: "hostpass ssh ca rotate --step activate",
    },
    {
      summary: "Finally stop trusting the old key, once its certificates have expired.",
      command: "hostpass ssh ca rotate --step retire",
    },
    { summary: "The next step of the host CA's rotation.", command: "hostpass ssh ca rotate --purpose host" },
  ],
  configure(command) {
    command
      .addOption(
        new Option("--purpose <purpose>", "the user CA (signs logins) or the host CA")
          .choices(["user", "host"])
          .default("user"),
      )
      .addOption(
        new Option("--step <step>", "default: the step the keys are at").choices([
          "announce",
          "activate",
          "retire",
        ]),
      )
      .option(
        "--force",
        "retire although certificates the previous key signed may still be valid (they stop working)",
      );
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const out = (await api.post("/ssh/ca/rotate", {
      purpose: args.purpose,
      ...(args.step ? { step: args.step } : {}),
      ...(args.force ? { force: true } : {}),
    })) as { step: string };
    if (!ctx.globals.onlyShowErrors) ctx.stderr.write(`${NEXT[out.step] ?? ""}\n`);
    return out;
  },
};
