/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl as the `postgres` user, in a temp dir,
 * on a free loopback port with its own socket directory), for tests that stop and start the
 * database under a running service. The machine's shared PostgreSQL is never touched.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin", "pg_ctl"))) return join(root, v, "bin");
  return undefined;
}

/** Why a throw-away cluster cannot run here, or undefined when it can. */
export function throwawayPostgresUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (to run initdb and pg_ctl as the postgres user)";
  if (!postgresBin()) return "no /usr/lib/postgresql/*/bin/pg_ctl";
  return undefined;
}

export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop`: `fast` (sessions ended, clean) or `immediate` (like a crash). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ThrowawayOptions {
  /**
   * Run the cluster inside the mount namespace of this process, in `dir` (which must exist there,
   * owned by postgres; it is also the socket directory): a cluster on a file system only that
   * namespace sees, such as a small tmpfs.
   */
  readonly namespace?: { readonly pid: number; readonly dir: string };
}

export async function startThrowawayPostgres(options: ThrowawayOptions = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL server binaries not found");
  const { uid, gid } = await ids("postgres");
  const ns = options.namespace;
  let dir: string;
  let sockets: string;
  if (ns) {
    dir = ns.dir;
    sockets = ns.dir;
  } else {
    dir = await mkdtemp(join(tmpdir(), "hostpass-pg-"));
    sockets = join(dir, "sockets");
    mkdirSync(sockets);
    chownSync(dir, uid, gid);
    chownSync(sockets, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  const enter = ns ? ["nsenter", "-t", String(ns.pid), "-m", "--"] : [];
  const asPostgres = (argv: string[]) => {
    const [command, ...args] = [
      ...enter,
      "setpriv",
      "--reuid",
      String(uid),
      "--regid",
      String(gid),
      "--init-groups",
      "--",
      ...argv,
    ] as [string, ...string[]];
    return run(command, args, { cwd: "/", timeout: 120_000 });
  };
  await asPostgres([
    join(bin, "initdb"),
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  const serverOptions = `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = () =>
    asPostgres([
      join(bin, "pg_ctl"),
      "-D",
      data,
      "-o",
      serverOptions,
      "-l",
      join(dir, "log"),
      "-w",
      "-t",
      "60",
      "start",
    ]).then(() => undefined);
  const stop = (mode: "fast" | "immediate" = "fast") =>
    asPostgres([join(bin, "pg_ctl"), "-D", data, "-m", mode, "-w", "-t", "60", "stop"]).then(() => undefined);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async destroy() {
      await stop("immediate").catch(() => {});
      if (!ns) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function ids(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run("id", ["-u", user]), run("id", ["-g", user])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
