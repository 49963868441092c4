import type { CliCommand } from "../../command.ts";
import { listClouds } from "../../session/clouds.ts";
import { configDir } from "../../session/config-dir.ts";

export const cloudListCommand: CliCommand = {
  path: ["cloud", "list"],
  summary: "List registered clouds.",
  examples: [{ summary: "List the clouds as a table.", command: "hostpass cloud list -o table" }],
  configure() {},
  async run(ctx) {
    return listClouds(configDir(ctx.env));
  },
};
