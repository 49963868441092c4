import { Option } from "commander";
import type { CliCommand } from "../../../command.ts";
import { openApi } from "../../../session/api.ts";

interface Args {
  readonly purpose?: "user" | "host";
  readonly all?: boolean;
}

/**
 * `hostpass ssh ca show`: the CA keys with their place in a rotation (next: announced and trusted,
 * not signing; active: signs; previous: still trusted) and their fingerprints. Administrators only.
 */
export const sshCaShowCommand: CliCommand<Args> = {
  path: ["ssh", "ca", "show"],
  summary: "Show the SSH CA keys: rotation state (next, active, previous) and fingerprints.",
  examples: [
    {
      summary: "The user and host CA keys hosts trust now, as a table.",
      command: "hostpass ssh ca show -o table",
    },
    {
      summary: "Every user CA key, retired ones too.",
      command: "hostpass ssh ca show --purpose user --all",
    },
  ],
  configure(command) {
    command
      .addOption(new Option("--purpose <purpose>", "only the user or the host CA").choices(["user", "host"]))
      .option("--all", "include retired keys");
  },
  async run(ctx, args) {
    const api = await openApi(ctx);
    const page = (await api.get("/ssh/ca/keys", { purpose: args.purpose })) as {
      value: { state: string }[];
    };
    return page.value.filter((k) => args.all === true || k.state !== "retired");
  },
};
