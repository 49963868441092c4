import { Option } from "commander";
import type { CliCommand, CliContext } from "../command.ts";
import { CliUsageError } from "../errors.ts";
import { parsePort } from "../lib/parse.ts";
import { defaultServerDataDir } from "../session/config-dir.ts";

const DEFAULT_LISTEN = "127.0.0.1:8443";

interface ServerArgs {
  readonly dataDir?: string;
  readonly database?: string;
  readonly listen?: string;
  readonly port?: string;
  readonly insecureHttp?: boolean;
  readonly publicUrl?: string;
  readonly trustedProxy?: string[];
  readonly localMachines?: boolean;
  readonly certificateLifetime?: string;
  readonly issuanceWorkers?: string;
}

/** `90`, `90s`, `30m`, `1h` as seconds. */
function parseDuration(text: string): number {
  const m = /^(\d{1,6})([smh]?)$/.exec(text);
  if (!m)
    throw new CliUsageError(
      `--certificate-lifetime: ${JSON.stringify(text)} is not a duration like 30m or 1h`,
    );
  return Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
}

/** `--issuance-workers`: 0-64 worker threads. */
function parseWorkers(text: string): number {
  if (!/^\d{1,2}$/.test(text) || Number(text) > 64)
    throw new CliUsageError(`--issuance-workers: ${JSON.stringify(text)} is not a number from 0 to 64`);
  return Number(text);
}

/** `hostpass server`: runs the directory and authorization service until SIGTERM or SIGINT. */
export const serverCommand: CliCommand<ServerArgs> = {
  path: ["server"],
  summary: "Run the hostpass service (directory, RBAC, audit and its HTTPS API).",
  examples: [
    {
      summary: "Run on the embedded SQLite store in the default data directory.",
      command: "hostpass server",
    },
    {
      summary:
        "Run with the local machine provider (root on Linux): `hostpass vm create` starts machines on this host.",
      command: "hostpass server --local-machines",
    },
    {
      summary: "Run on PostgreSQL, listening on all addresses under a public name.",
      command:
        "hostpass server --database postgres://hostpass@db/hostpass --listen 0.0.0.0:8443 --public-url https://hostpass.example:8443",
    },
    {
      summary: "Run behind a TLS-terminating proxy on 10.0.0.2 that forwards https://hostpass.example.",
      command:
        "hostpass server --listen 10.0.0.5:8443 --public-url https://hostpass.example --trusted-proxy 10.0.0.2",
    },
  ],
  configure(command) {
    command
      .option("--data-dir <dir>", "state directory (keys, TLS certificate, SQLite database)")
      .option("--database <url>", "store URL: sqlite:<file> (default: in the data directory) or postgres://…")
      .option("--listen <host:port>", "address to listen on (default 127.0.0.1:8443)")
      .option("--port <port>", "the port to listen on at 127.0.0.1 (0-65535; 0: any free one); or --listen")
      .option(
        "--public-url <url>",
        "the URL clients and host agents use (https://name[:port]); the issuer, TLS names and every URL the service prints come from it (default: the listen address)",
      )
      .option(
        "--trusted-proxy <ip-or-cidr>",
        "a reverse proxy whose X-Forwarded-For is believed (repeatable)",
        (value: string, previous: string[] = []) => [...previous, value],
      )
      .option(
        "--local-machines",
        "start machines for `vm create` on this host (Linux namespaces on a private network; root only); the public URL then defaults to that network's gateway address",
      )
      .option(
        "--certificate-lifetime <duration>",
        "longest user certificate lifetime: 60s-24h, e.g. 30m (default 1h)",
      )
      .option(
        "--issuance-workers <n>",
        "issue certificates on n worker threads beside HTTP and TLS (0-64; default 0: in-process; the number of cores uses them all)",
      )
      .addOption(new Option("--insecure-http", "serve plain HTTP (loopback addresses only)"));
  },
  async run(ctx, args) {
    // Loaded here so the other commands (HTTP clients) never load Fastify or the store.
    const listen = listenOf(args);
    const { startServer } = await import("../../server/index.ts");
    const running = await startServer({
      dataDir: args.dataDir ?? defaultServerDataDir(),
      database: args.database,
      listen,
      insecureHttp: args.insecureHttp === true,
      publicUrl: args.publicUrl,
      trustedProxies: args.trustedProxy ?? [],
      ...(args.localMachines ? { localMachines: {} } : {}),
      ...(args.certificateLifetime
        ? { certificateLifetimeSeconds: parseDuration(args.certificateLifetime) }
        : {}),
      ...(args.issuanceWorkers === undefined ? {} : { issuanceWorkers: parseWorkers(args.issuanceWorkers) }),
      adminPassword: ctx.env.HOSTPASS_ADMIN_PASSWORD || undefined,
      logLevel: logLevel(ctx),
      logStream: ctx.stderr,
    });
    const lines = [`hostpass server listening on ${running.url}`, `public URL: ${running.publicUrl}`];
    if (running.fingerprint) lines.push(`TLS certificate SHA-256 fingerprint: ${running.fingerprint}`);
    const local = running.localMachines;
    if (local) {
      const { network, root } = local.provider;
      lines.push(`local machines: ${root}, network ${network.subnet} (this host is ${network.gateway})`);
    }
    const boot = running.bootstrap;
    lines.push(
      `tenant: ${boot.tenant.name} (${boot.tenant.id}), default subscription: ${boot.subscriptionId}`,
    );
    if (boot.generatedPassword !== undefined) {
      lines.push(`first administrator: ${boot.adminUpn}`);
      lines.push(`one-time password (shown only now): ${boot.generatedPassword}`);
    } else if (boot.created.includes("Directory/users/write")) {
      lines.push(`first administrator: ${boot.adminUpn} (password from HOSTPASS_ADMIN_PASSWORD)`);
    }
    ctx.stdout.write(`${lines.join("\n")}\n`);
    if (!ctx.signal.aborted) {
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
    }
    if (!ctx.globals.onlyShowErrors) ctx.stderr.write("hostpass server: shutting down\n");
    await running.close();
    return undefined;
  },
};

/** `--listen`, or `--port` on the default address; a port out of range is a usage error. */
function listenOf(args: ServerArgs): string {
  if (args.port === undefined) return args.listen ?? DEFAULT_LISTEN;
  if (args.listen !== undefined)
    throw new CliUsageError("give either --listen host:port or --port, not both");
  return `127.0.0.1:${parsePort("--port", args.port, 0)}`;
}

function logLevel(ctx: CliContext): "debug" | "info" | "warn" | "error" {
  if (ctx.globals.debug) return "debug";
  if (ctx.globals.verbose) return "info";
  return ctx.globals.onlyShowErrors ? "error" : "warn";
}
