/**
 * `hostpass cloud register|set|list|show|unregister`: named service endpoints, the neutral
 * equivalent of `az cloud` (the seed's Azure Global / Government / China).
 */
import type { CliCommand } from "../command.ts";
import { listClouds, registerCloud, setCloud, showCloud, unregisterCloud } from "../session/clouds.ts";
import { configDir } from "../session/config-dir.ts";

interface NameArgs {
  readonly name: string;
}

export const cloudRegisterCommand: CliCommand<NameArgs & { endpoint: string; caFile?: string }> = {
  path: ["cloud", "register"],
  summary: "Register a hostpass service under a name.",
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

export const cloudSetCommand: CliCommand<NameArgs> = {
  path: ["cloud", "set"],
  summary: "Make a registered cloud the active one.",
  configure(command) {
    command.requiredOption("-n, --name <name>", "name of the cloud");
  },
  async run(ctx, args) {
    return setCloud(configDir(ctx.env), args.name);
  },
};

export const cloudListCommand: CliCommand = {
  path: ["cloud", "list"],
  summary: "List registered clouds.",
  configure() {},
  async run(ctx) {
    return listClouds(configDir(ctx.env));
  },
};

export const cloudShowCommand: CliCommand<Partial<NameArgs>> = {
  path: ["cloud", "show"],
  summary: "Show the active cloud, or the one named.",
  configure(command) {
    command.option("-n, --name <name>", "name of the cloud (default: the active one)");
  },
  async run(ctx, args) {
    return showCloud(configDir(ctx.env), args.name);
  },
};

export const cloudUnregisterCommand: CliCommand<NameArgs> = {
  path: ["cloud", "unregister"],
  summary: "Remove a registered cloud.",
  configure(command) {
    command.requiredOption("-n, --name <name>", "name of the cloud");
  },
  async run(ctx, args) {
    await unregisterCloud(configDir(ctx.env), args.name);
    return undefined;
  },
};

export const CLOUD_COMMANDS = [
  cloudRegisterCommand,
  cloudSetCommand,
  cloudListCommand,
  cloudShowCommand,
  cloudUnregisterCommand,
];
