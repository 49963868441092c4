/**
 * `hostpass ssh vm`: the system `ssh` to a machine with a short-lived certificate. The address
 * comes from the resource (`-n -g`) or `--ip`; the certificate is the cached one while it is good
 * (ssh-cache.ts), else a new one for a new ephemeral Ed25519 key (or for `-i/-p`); the host is
 * verified through the tenant's host CA (`@cert-authority`) where hosts have host certificates.
 * Everything after `--` goes to ssh. Top-level imports are node built-ins only: with a cached
 * certificate and `--ip`, nothing else is loaded (start-up time, `npm run bench -- cli`). A run that
 * got in leaves a record with which bin/hostpass repeats it without Node (session/fast-path.ts).
 */
import { Option } from "commander";
import { type CliCommand, ExitStatus } from "../../command.ts";
import { runSsh } from "../../lib/run-ssh.ts";
import { type SshTarget, type SshVmArgs, targetOf } from "../../lib/ssh-target.ts";

export const sshVmCommand: CliCommand<SshVmArgs> = {
  path: ["ssh", "vm"],
  summary: "SSH into a machine with your directory identity (a short-lived certificate, made as needed).",
  examples: [
    {
      summary: "Open a shell on a VM; its address comes from the resource.",
      command: "hostpass ssh vm -n myVM -g LinuxVMs",
    },
    {
      summary: "By address, forwarding a port (everything after -- goes to ssh).",
      command: "hostpass ssh vm --ip 10.11.12.13 -- -L 8080:localhost:80",
    },
    { summary: "Run one command.", command: "hostpass ssh vm -n myVM -g LinuxVMs -- sudo -n true" },
    {
      summary: "A scale-set instance with only a private address, through a jump host.",
      command: "hostpass ssh vm --ip 10.0.1.5 --jump bastionVM -g LinuxVMs",
    },
    {
      summary: "The break-glass local account with its own key (no certificate).",
      command: "hostpass ssh vm -n myVM -g LinuxVMs --local-user localadmin -i ~/.ssh/id_ed25519",
    },
  ],
  configure(command) {
    command
      .argument("[ssh-args...]", "arguments for ssh (after --)")
      .option("-n, --name <name>", "name of the virtual machine")
      .option("-g, --resource-group <name>", "its resource group")
      .addOption(new Option("--ip <address>", "address (or host name) of the machine").conflicts(["name"]))
      .option("--resource-id <id>", "the machine's resource id (instead of -n and -g)")
      .option("--prefer-private-ip", "use the private address even when there is a public one")
      .option("--port <port>", "SSH port (default 22)")
      .option("-i, --private-key-file <path>", "your own private key to certify (its .pub beside it)")
      .option("-p, --public-key-file <path>", "your own public key to certify (its private key beside it)")
      .option(
        "--jump <vm-or-address>",
        "reach the machine through this one (ProxyJump), e.g. a bastion VM in -g",
      )
      .option(
        "--local-user <user>",
        "log in as this local account with its own key or password (no certificate)",
      );
  },
  async run(ctx, args) {
    const target: SshTarget = targetOf(args);
    // bin/hostpass's fast path repeats a run it can name from argv alone (fast-path.ts).
    const fastPath =
      args.resourceId === undefined && ctx.globals.subscription === undefined
        ? {
            ...(args.name !== undefined ? { name: args.name } : {}),
            ...(args.resourceGroup !== undefined ? { group: args.resourceGroup } : {}),
            ...(args.ip !== undefined ? { ip: args.ip } : {}),
            ...(args.port !== undefined ? { port: args.port } : {}),
            preferPrivateIp: args.preferPrivateIp === true,
          }
        : undefined;
    return new ExitStatus(await runSsh(ctx, target, args.operands ?? [], fastPath ? { fastPath } : {}));
  },
};
