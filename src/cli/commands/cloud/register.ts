/** `hostpass cloud ...`: named service endpoints, the neutral equivalent of `az cloud`. */
import type { CliCommand } from "../../command.ts";
import { registerCloud } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const cloudRegisterCommand: CliCommand<{ name: string; endpoint: string; caFile?: string }> = {
  path: ["cloud", "register"],
  summary: "Register a hostpass service under a name.",
  examples: [
    {
      summary: "Register a service whose certificate is signed by a private CA.",
      command: "hostpass cloud register -n prod --endpoint https://hostpass.example.com --ca-file ca.pem",
    },
  ],
  configure(command) {
    command
      .requiredOption("-n, --name <name>", "name of the cloud")
      .requiredOption("--endpoint <url>", "service URL, e.g. https://hostpass.example.com")
      .option(
        "--ca-file <pem>",
        "certificate(s) to trust for this endpoint (the server's own by default is self-signed)",
      );
  },
  async run(ctx, args) {
    return registerCloud(configDir(ctx.env), {
      name: args.name,
      endpoint: args.endpoint,
      ...(args.caFile ? { caFile: args.caFile } : {}),
    });
  },
};
