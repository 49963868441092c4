import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { isAbsolute, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { defaultBaseDir, ensureBaseImage } from "./base-image.ts";
import { LocalVmNotRunningError, LocalVmSpecError, LocalVmStartError } from "./errors.ts";
import { ensureLocalVmSupported } from "./host-support.ts";
import { childrenOf, identify, isAlive, namespaceOf, waitUntil } from "./lib/proc.ts";
import { runChecked } from "./lib/run-command.ts";
import { LocalMachine, MACHINE_RECORD, type MachineRecord, readMachineRecord } from "./machine.ts";
import { buildMachineImage, type MachineImageSpec } from "./machine-image.ts";
import { deleteLink, type LocalNetwork } from "./network.ts";
import { parseIpv4 } from "./subnet.ts";

const INIT_SCRIPT = fileURLToPath(new URL("./lib/machine-init.sh", import.meta.url));
const BIND_TARGET = /^\/opt\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/** A host directory the machine sees under /opt (e.g. the hostpass installation, read-only). */
export interface MachineBind {
  readonly source: string;
  readonly target: string;
  readonly readOnly?: boolean;
}

export interface StartMachineOptions extends MachineImageSpec {
  /** The machine's directory on the host (image, logs, record); created when missing, reused when not. */
  readonly dir: string;
  /** The shared base /etc (base-image.ts); default: `.localvm-base` beside `dir`. */
  readonly baseDir?: string;
  readonly network: LocalNetwork;
  /** Keep this address (a restarted machine); otherwise the network's next free one. */
  readonly address?: string;
  readonly binds?: readonly MachineBind[];
  /** Extra arguments for the machine's sshd (e.g. `["-o", "LogLevel=VERBOSE"]`), after `-D -e -o ListenAddress=<address>:22`. */
  readonly sshdArgs?: readonly string[];
  /**
   * How long the machine may take to come up (namespaces, mounts, link, sshd answering); default
   * 60 s: 5-7 s at a load average of 26 on 2 cores, and a busy CI host is slower still.
   */
  readonly timeoutMs?: number;
}

/**
 * Starts a machine: builds its image in `dir` if needed, starts its init in new namespaces, links it
 * to the network, and returns once its sshd answers on `<address>:22`. The machine outlives this
 * process (its init runs in a session of its own); `openMachine(dir)` finds it again. On failure
 * nothing runs and no link is left; the directory keeps the image and `console.log`.
 */
export async function startMachine(options: StartMachineOptions): Promise<LocalMachine> {
  await ensureLocalVmSupported();
  const binds = await validateBinds(options.binds ?? []);
  const sshdArgs = options.sshdArgs ?? [];
  if (sshdArgs.some((arg) => arg.includes("\0") || arg.includes("\n"))) {
    throw new LocalVmSpecError("sshd arguments may not contain NUL or newlines");
  }
  const existing = await readMachineRecord(options.dir);
  if (existing && (await isAlive(existing.init))) {
    throw new LocalVmSpecError(`a machine is already running in ${options.dir}`);
  }
  for (const path of [options.dir, options.baseDir ?? ""]) {
    // overlayfs options are a comma- and colon-separated list: such paths could not be passed safely
    if (/[,:\\\s]/.test(path))
      throw new LocalVmSpecError(`a machine directory path may not contain , : \\ or blanks: ${path}`);
  }
  const baseEtc = await ensureBaseImage(options.baseDir ?? defaultBaseDir(options.dir));
  await buildMachineImage(options.dir, options);
  const sshdLog = await sshdLogOf(options.dir);
  const address = options.network.claimAddress(options.address);
  const link = `hpv-${randomBytes(4).toString("hex")}`;
  const peer = `hpp-${link.slice(4)}`;
  const consoleLog = join(options.dir, "console.log");
  const consoleFd = openSync(consoleLog, "a", 0o600);
  const child = spawn(
    "/usr/bin/unshare",
    [
      "--fork",
      "--pid",
      "--mount-proc",
      "--mount",
      "--uts",
      "--ipc",
      "--net",
      "--propagation",
      "private",
      "--",
    ]
      .concat(["/bin/bash", INIT_SCRIPT, options.dir, baseEtc, options.hostname])
      .concat([String(sshdArgs.length), ...sshdArgs])
      .concat(binds.flatMap((bind) => [bind.source, bind.target, bind.readOnly === false ? "rw" : "ro"])),
    {
      detached: true,
      stdio: ["pipe", "pipe", consoleFd],
      cwd: "/",
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" },
    },
  );
  closeSync(consoleFd);
  const timeoutMs = options.timeoutMs ?? 60_000;
  let init: Awaited<ReturnType<typeof identify>>;
  try {
    await waitForLine(child.stdout, "ready", timeoutMs);
    const [initPid] = await childrenOf(child.pid ?? -1);
    init = initPid === undefined ? undefined : await identify(initPid);
    if (!init) throw new Error("the machine's init is gone");
    await runChecked(
      "/usr/sbin/ip",
      ["link", "add", link, "type", "veth", "peer", "name", peer].concat([
        "address",
        macAddressFor(address),
        "netns",
        String(init.pid),
      ]),
    );
    await writeFile(`/proc/sys/net/ipv6/conf/${link}/disable_ipv6`, "1");
    await runChecked("/usr/sbin/ip", ["-batch", "-"], {
      input: `link set dev ${link} master ${options.network.name}\nlink set dev ${link} up\n`,
    });
    child.stdin?.end(`go ${peer} ${address}/${options.network.prefixLength} ${options.network.gateway}\n`);
    await waitForSsh(sshdLog, address, timeoutMs, () => isAlive(init ?? { pid: -1, startTicks: "" }));
    const [netns, mntns] = await Promise.all([namespaceOf(init.pid, "net"), namespaceOf(init.pid, "mnt")]);
    if (!netns || !mntns) throw new Error("the machine's init is gone");
    const record: MachineRecord = {
      format: 1,
      hostname: options.hostname,
      address,
      network: options.network.toJSON(),
      link,
      init,
      netns,
      mntns,
    };
    await writeFileAtomic(join(options.dir, MACHINE_RECORD), `${JSON.stringify(record, null, 2)}\n`, 0o600);
    child.stdout?.destroy();
    child.unref();
    return new LocalMachine(options.dir, record, () => options.network.releaseAddress(address));
  } catch (error) {
    child.stdout?.destroy();
    child.stdin?.destroy();
    await abandon(child.pid, link);
    options.network.releaseAddress(address);
    const log = await readFile(consoleLog, "utf8").catch(() => "");
    const sshdLines = (await readFile(sshdLog.path).catch(() => Buffer.alloc(0)))
      .subarray(sshdLog.from)
      .toString("utf8");
    throw new LocalVmStartError(
      `machine ${options.hostname} did not start: ${(error as Error).message}\n${tail(log)}${tail(sshdLines)}`,
      { cause: error },
    );
  }
}

/** Undoes a start that failed half-way: kill the whole session (unshare and the machine), drop the link. */
async function abandon(unsharePid: number | undefined, link: string): Promise<void> {
  if (unsharePid !== undefined) {
    const [initPid] = await childrenOf(unsharePid);
    for (const pid of [initPid, unsharePid]) {
      try {
        if (pid !== undefined) process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await waitUntil(async () => (await identify(unsharePid)) === undefined, 5_000);
  }
  await deleteLink(link);
}

async function validateBinds(binds: readonly MachineBind[]): Promise<MachineBind[]> {
  const checked: MachineBind[] = [];
  for (const bind of binds) {
    if (
      !BIND_TARGET.test(bind.target) ||
      normalize(bind.target) !== bind.target ||
      bind.target.includes("/..")
    ) {
      throw new LocalVmSpecError(
        `a bind target must be a plain path under /opt: ${JSON.stringify(bind.target)}`,
      );
    }
    if (
      !isAbsolute(bind.source) ||
      normalize(bind.source) !== bind.source ||
      bind.source.startsWith("/run/")
    ) {
      throw new LocalVmSpecError(
        `a bind source must be an absolute, normalised path outside /run: ${bind.source}`,
      );
    }
    if (!(await stat(bind.source).catch(() => undefined))?.isDirectory()) {
      throw new LocalVmSpecError(`a bind source must be an existing directory: ${bind.source}`);
    }
    checked.push(bind);
  }
  return checked;
}

function waitForLine(stream: NodeJS.ReadableStream | null, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!stream) return reject(new TypeError("no stdout"));
    let seen = "";
    const timer = setTimeout(() => finish(new Error(`no "${line}" within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      if (seen.split("\n").includes(line)) finish();
    };
    const onEnd = () => finish(new Error("the machine's init exited while starting"));
    function finish(error?: Error): void {
      clearTimeout(timer);
      stream?.off("data", onData).off("end", onEnd);
      if (error) reject(error);
      else resolve();
    }
    stream.on("data", onData).on("end", onEnd);
  });
}

interface SshdLog {
  readonly path: string;
  /** Where this start's lines begin (a restarted machine's log has older ones). */
  readonly from: number;
}

async function sshdLogOf(dir: string): Promise<SshdLog> {
  const path = join(dir, "var", "log", "localvm-sshd.log");
  return { path, from: (await stat(path).catch(() => undefined))?.size ?? 0 };
}

/**
 * Waits until the machine's sshd says it listens (its log is on the host, in the machine's var/log),
 * then for its banner. Connecting earlier would race the machine's link coming up: a SYN lost there
 * costs a one-second retransmission.
 */
async function waitForSsh(
  log: SshdLog,
  address: string,
  timeoutMs: number,
  alive: () => Promise<boolean>,
): Promise<void> {
  const listening = `Server listening on ${address} port 22.`;
  const deadline = Date.now() + timeoutMs;
  const answered = await waitUntil(
    async () => {
      if (!(await alive())) throw new LocalVmNotRunningError("the machine stopped while starting");
      const text = (await readFile(log.path).catch(() => Buffer.alloc(0)))
        .subarray(log.from)
        .toString("utf8");
      return text.includes(listening) && (await readsBanner(address));
    },
    timeoutMs,
    10,
  );
  if (!answered || Date.now() > deadline)
    throw new Error(`sshd did not answer on ${address}:22 within ${timeoutMs} ms`);
}

function readsBanner(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22, timeout: 500 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("data", (chunk) => done(chunk.toString("latin1").startsWith("SSH-2.0-")));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/**
 * The machine's MAC address, derived from its IP (locally administered, `02:68:70` = "hp"): a
 * restarted machine keeps it, so the host's neighbour cache never holds a stale one for its address
 * (which costs a second of ARP probing before the first connection).
 */
export function macAddressFor(address: string): string {
  const value = parseIpv4(address);
  if (value === undefined) throw new TypeError(`not an IPv4 address: ${address}`);
  const low = [16, 8, 0].map((shift) => (Math.floor(value / 2 ** shift) % 256).toString(16).padStart(2, "0"));
  return ["02", "68", "70", ...low].join(":");
}

function tail(text: string, lines = 15): string {
  return text.trim() === "" ? "" : `${text.trim().split("\n").slice(-lines).join("\n")}\n`;
}
