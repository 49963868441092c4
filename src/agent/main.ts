/**
 * `hostpass-agent`: the host agent's command line. `join` once, then `run` (the daemon, in the
 * foreground: systemd's unit runs it so, and tests start it directly). `apply` and `restore` make
 * the host's files match a state file, or put the host back, without a service (tests, offline
 * hosts, uninstall). Output is JSON; errors and exit codes as the hostpass CLI's (22 and 23 as the
 * seed's extension).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { renderExamples } from "../cli/main.ts";
import { EXIT_BY_KIND, EXIT_OK, exitCodeFor, formatError } from "../cli/output.ts";
import { systemClock } from "../shared/clock.ts";
import { parsePublicKey } from "../ssh/index.ts";
import { CONFIG_FILE, loadAgentConfig, readAgentKey, SERVER_CA_FILE } from "./agent-config.ts";
import { hostRecords, openAgentStore } from "./agent-store.ts";
import { runDaemon } from "./daemon.ts";
import { type AgentLog, HostController } from "./host-controller.ts";
import { type HostPaths, hostPaths } from "./host-paths.ts";
import { validateHostState } from "./host-state.ts";
import { joinService, readHostKeys } from "./join.ts";
import { systemTools } from "./lib/system-tools.ts";
import { fileLogSource, journalLogSource, type LogSource } from "./log-sources.ts";
import { ReportQueue } from "./report-queue.ts";
import { restoreHost } from "./restore-host.ts";
import { serviceClient } from "./service-client.ts";

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly signal: AbortSignal;
}

const common = (c: Command) =>
  c
    .option(
      "--root <dir>",
      "host root the agent manages (tests: a scratch directory or a mount namespace)",
      "/",
    )
    .option(
      "--state-dir <dir>",
      "the agent's own state (key, configuration, what it changed), under --root",
      "/var/lib/hostpass-agent",
    )
    .option(
      "--sshd-reload <how>",
      "systemd | pidfile:PATH | none (default: systemd when it runs, else /run/sshd.pid)",
    );

function jsonLog(out: NodeJS.WritableStream): AgentLog {
  return (level, event, fields = {}) => {
    out.write(
      `${JSON.stringify({ time: new Date(systemClock()).toISOString(), level, event, ...fields })}\n`,
    );
  };
}

async function hostKeysOf(paths: HostPaths) {
  return (await readHostKeys(paths)).map((k) => parsePublicKey(k));
}

function logSourceOf(spec: string | undefined): LogSource | undefined {
  if (!spec || spec === "none") return undefined;
  if (spec === "journal") return journalLogSource(systemClock);
  if (spec.startsWith("file:")) return fileLogSource(spec.slice(5), systemClock);
  throw new CommanderError(2, "commander.invalidArgument", `--sshd-log must be journal, file:PATH or none`);
}

function buildProgram(io: Io, done: (result: unknown) => void): Command {
  const program = new Command("hostpass-agent")
    .description(
      "The hostpass host agent: keeps sshd, NSS, PAM and sudo in the state the hostpass service sends.",
    )
    .helpCommand(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: () => undefined,
    });

  program.addHelpText(
    "after",
    renderExamples([
      {
        summary:
          "Join this host (as root), with the command `hostpass vm create` printed, then start the agent.",
        command:
          "hostpass-agent join --server https://hostpass.example:8443 --code hpj_… --ca-file hostpass-ca.pem",
      },
      { summary: "", command: "systemctl enable --now hostpass-agent" },
      { summary: "What the agent last applied.", command: "hostpass-agent status" },
    ]),
  );

  common(program.command("join"))
    .description(
      "register this host with the service through a one-time join code (makes the agent's own key)",
    )
    .requiredOption("--server <url>", "the service's public URL, e.g. https://hostpass.example:8443")
    .requiredOption(
      "--code <code>",
      "the one-time join code from `hostpass vm create` / `POST <vm id>/joinCode`",
    )
    .option("--ca-file <pem>", "CA certificate to trust for the service (its self-signed TLS certificate)")
    .option(
      "--tls-fingerprint <sha256>",
      "or the SHA-256 fingerprint of the service's self-signed certificate (pinned at join)",
    )
    .option("--force", "join again with a new key (the old one stops working)")
    .addHelpText(
      "after",
      renderExamples([
        {
          summary: "Join with the command `hostpass vm create` printed.",
          command:
            "hostpass-agent join --server https://hostpass.example:8443 --code hpj_… --ca-file hostpass-ca.pem",
        },
        {
          summary:
            "Or pin the service's self-signed certificate by the fingerprint `hostpass server` printed.",
          command:
            "hostpass-agent join --server https://10.0.0.5:8443 --code hpj_… --tls-fingerprint 3F:9A:…:C2",
        },
      ]),
    )
    .action(
      async (o: {
        root: string;
        stateDir: string;
        server: string;
        code: string;
        caFile?: string;
        tlsFingerprint?: string;
        force?: boolean;
      }) => {
        const config = await joinService(hostPaths(o.root, { stateDir: o.stateDir }), o, systemClock);
        done({ joined: true, machineId: config.machineId, tenantId: config.tenantId, server: config.server });
      },
    );

  common(program.command("run"))
    .description("run the agent in the foreground (systemd's unit runs this): stream, apply, report")
    .option("--sshd-log <source>", "where sshd logs: journal | file:PATH | none", "journal")
    .addHelpText(
      "after",
      renderExamples([
        { summary: "As systemd runs it.", command: "hostpass-agent run" },
        {
          summary: "On a host without journald, where sshd logs to a file.",
          command: "hostpass-agent run --sshd-log file:/var/log/auth.log",
        },
      ]),
    )
    .action(async (o: { root: string; stateDir: string; sshdReload?: string; sshdLog?: string }) => {
      const paths = hostPaths(o.root, { stateDir: o.stateDir });
      const store = await openAgentStore(paths, { create: false });
      const config = await loadAgentConfig(store);
      const privateKeyPem = await readAgentKey(paths, store);
      const caFile = config.pinnedCa ? join(store.dir, SERVER_CA_FILE) : undefined;
      const caPem = caFile ? await readFile(caFile, "utf8") : undefined;
      const client = serviceClient({
        config,
        privateKeyPem: privateKeyPem as string,
        clock: systemClock,
        ...(caFile ? { caFile, caPem } : {}),
      });
      const log = jsonLog(io.stdout);
      const reports = new ReportQueue(store, log);
      await reports.load();
      const controller = new HostController({
        paths,
        tools: systemTools(o.sshdReload ? { reload: o.sshdReload } : {}),
        store,
        clock: systemClock,
        log,
        report: (r) => reports.push(r),
        hostKeys: () => hostKeysOf(paths),
        fetchKrl: () => client.fetchKrl(),
      });
      await controller.load();
      const logSource = logSourceOf(o.sshdLog);
      log("info", "agent started", { machineId: config.machineId, server: config.server });
      const daemon = {
        paths,
        controller,
        client,
        clock: systemClock,
        log,
        reports,
        store,
        ...(logSource ? { logSource } : {}),
      };
      await runDaemon(daemon, io.signal);
      log("info", "agent stopped");
      done(undefined);
    });

  common(program.command("apply"))
    .description("make this host's files match a HostState JSON file (no service; tests and offline hosts)")
    .requiredOption("--state <file>", "a HostState (src/shared/host-protocol.ts) as JSON")
    .option("--krl <file>", "the KRL whose sha256 the state names")
    .addHelpText(
      "after",
      renderExamples([
        {
          summary: "Apply a state saved from the service, with its KRL.",
          command: "hostpass-agent apply --state state.json --krl revoked.krl",
        },
      ]),
    )
    .action(
      async (o: { root: string; stateDir: string; sshdReload?: string; state: string; krl?: string }) => {
        const paths = hostPaths(o.root, { stateDir: o.stateDir });
        const state = validateHostState(JSON.parse(await readFile(o.state, "utf8")));
        const store = await openAgentStore(paths);
        const controller = new HostController({
          paths,
          tools: systemTools(o.sshdReload ? { reload: o.sshdReload } : {}),
          store,
          clock: systemClock,
          log: jsonLog(io.stderr),
          report: () => undefined,
          hostKeys: () => hostKeysOf(paths),
          ...(o.krl ? { fetchKrl: async () => new Uint8Array(await readFile(o.krl as string)) } : {}),
        });
        await controller.load();
        controller.contact();
        controller.snapshot(state);
        await controller.apply();
        if (controller.lastError) throw controller.lastError;
        done(controller.status());
      },
    );

  common(program.command("restore"))
    .description("put back every host file the agent changed, as it was (what extension disable does)")
    .addHelpText(
      "after",
      renderExamples([{ summary: "Before uninstalling the agent.", command: "hostpass-agent restore" }]),
    )
    .action(async (o: { root: string; stateDir: string; sshdReload?: string }) => {
      const paths = hostPaths(o.root, { stateDir: o.stateDir });
      const tools = systemTools(o.sshdReload ? { reload: o.sshdReload } : {});
      done(await restoreHost(paths, tools, hostRecords(await openAgentStore(paths))));
    });

  common(program.command("status"))
    .description("what the agent last applied, its grace stage and the login extension's state")
    .addHelpText("after", renderExamples([{ summary: "", command: "hostpass-agent status" }]))
    .action(async (o: { root: string; stateDir: string }) => {
      const store = await openAgentStore(hostPaths(o.root, { stateDir: o.stateDir }), { create: false });
      done({
        joined: (await store.read(CONFIG_FILE)) !== undefined,
        ...((await store.read<object>("status.json")) ?? {}),
      });
    });
  return program;
}

export async function runAgentCli(argv: readonly string[], io: Io): Promise<number> {
  let result: unknown;
  const program = buildProgram(io, (r) => {
    result = r;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (["commander.helpDisplayed", "commander.help", "commander.version"].includes(error.code))
        return EXIT_OK;
      io.stderr.write(`ERROR: (ERR_CLI_USAGE) ${error.message.replace(/^error: /, "")}\n`);
      return EXIT_BY_KIND.invalid;
    }
    io.stderr.write(formatError(error, argv.includes("--debug")));
    return exitCodeFor(error);
  }
  if (result !== undefined) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return EXIT_OK;
}

if (import.meta.main) {
  const controller = new AbortController();
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => controller.abort(s));
  process.exitCode = await runAgentCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
}
