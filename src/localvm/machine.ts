import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { LocalVmNotRunningError, LocalVmSpecError } from "./errors.ts";
import { isAlive, type ProcessIdentity, processesInNamespaces, waitUntil } from "./lib/proc.ts";
import { type CommandResult, type RunOptions, runCommand } from "./lib/run-command.ts";
import { deleteLink, type LocalNetworkRecord, linkExists } from "./network.ts";

/** A running machine as recorded in `<dir>/machine.json`, so another process can find it again. */
export interface MachineRecord {
  readonly format: 1;
  readonly hostname: string;
  readonly address: string;
  readonly network: LocalNetworkRecord;
  /** The host end of the machine's veth pair (`hpv-` + 8 hex), on the network's bridge. */
  readonly link: string;
  /** PID 1 of the machine, as the host sees it. */
  readonly init: ProcessIdentity;
  /** Its network namespace (`net:[…]`), to check that nothing of it is left after a stop. */
  readonly netns: string;
  /** Its mount namespace (`mnt:[…]`). */
  readonly mntns: string;
}

export const MACHINE_RECORD = "machine.json";

/** The environment commands get inside a machine: nothing of the caller's leaks in. */
const MACHINE_ENV = Object.freeze({
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  LANG: "C.UTF-8",
  HOME: "/root",
  USER: "root",
  LOGNAME: "root",
});
const NAMESPACE_FLAGS = ["--mount", "--uts", "--ipc", "--net", "--pid", "--wdns=/"];

export interface MachineExecOptions extends RunOptions {
  /** Extra environment on top of the machine's fixed one. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A handle on a running local machine: run commands in it, start its services, stop it (keeping
 * its directory, to start it again) or destroy it (nothing left: processes, namespaces, mounts,
 * link, files). Every operation first checks that the recorded init is still the same process.
 */
export class LocalMachine {
  readonly record: MachineRecord;
  readonly dir: string;
  readonly #onStopped: (() => void) | undefined;

  constructor(dir: string, record: MachineRecord, onStopped?: () => void) {
    this.dir = dir;
    this.record = record;
    this.#onStopped = onStopped;
  }

  get hostname(): string {
    return this.record.hostname;
  }

  get address(): string {
    return this.record.address;
  }

  isRunning(): Promise<boolean> {
    return isAlive(this.record.init);
  }

  /** Runs a program as root inside the machine (all its namespaces, cwd `/`) and waits for it. */
  async exec(argv: readonly string[], options: MachineExecOptions = {}): Promise<CommandResult> {
    await this.#assertRunning();
    return runCommand("/usr/bin/nsenter", [...this.#enter(), "--", ...argv], {
      ...options,
      env: { ...MACHINE_ENV, ...options.env },
    });
  }

  /** Starts a program inside the machine and hands back its (host-side `nsenter`) process. */
  async spawn(argv: readonly string[], options: SpawnOptions = {}): Promise<ChildProcess> {
    await this.#assertRunning();
    return spawn("/usr/bin/nsenter", [...this.#enter(), "--", ...argv], {
      ...options,
      cwd: "/",
      env: { ...MACHINE_ENV, ...options.env },
    });
  }

  /** Starts a service written with `writeMachineService` under the machine's supervision (its init adopts it). */
  async startService(name: string): Promise<void> {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) throw new LocalVmSpecError(`not a service name: ${name}`);
    const result = await this.exec([
      "/usr/bin/setsid",
      "--fork",
      "/run/localvm/init",
      "supervise",
      name,
      `/etc/localvm/services/${name}`,
    ]);
    if (result.code !== 0)
      throw new Error(`could not start ${name} in ${this.hostname}: ${result.stderr.trim()}`);
  }

  /** The machine's host public keys (`type base64 comment` lines), for a known_hosts entry. */
  async hostPublicKeys(): Promise<string[]> {
    const ssh = join(this.dir, "etc", "ssh");
    const files = (await readdir(ssh)).filter((name) => /^ssh_host_.*_key\.pub$/.test(name)).sort();
    return Promise.all(files.map(async (name) => (await readFile(join(ssh, name), "utf8")).trim()));
  }

  /**
   * Powers the machine off: SIGKILL to its init ends every process in its PID namespace; with the
   * last one its network namespace (and the veth pair) and its mount namespace go. The directory stays.
   */
  async stop(): Promise<void> {
    const { init, link } = this.record;
    if (await isAlive(init)) {
      killQuietly(init.pid);
      if (!(await waitUntil(async () => !(await isAlive(init)), 10_000))) {
        throw new Error(`machine ${this.hostname} (pid ${init.pid}) did not stop`);
      }
    }
    // `unshare` (outside the PID namespace, inside the others) exits once it has reaped init, and an
    // `nsenter` of ours may still be on its way out: the namespaces go with the last of them.
    const inside = () => processesInNamespaces({ net: this.record.netns, mnt: this.record.mntns });
    if (!(await waitUntil(async () => (await inside()).length === 0, 5_000, 20))) {
      for (const pid of await inside()) killQuietly(pid);
      await waitUntil(async () => (await inside()).length === 0, 5_000, 20);
    }
    // The kernel removes the veth pair with the namespace, asynchronously; delete it ourselves if late.
    if (!(await waitUntil(async () => !(await linkExists(link)), 3_000, 25))) await deleteLink(link);
    this.#onStopped?.();
  }

  /** Stops the machine and removes its directory: nothing of it is left on this host. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  #enter(): string[] {
    return ["--target", String(this.record.init.pid), ...NAMESPACE_FLAGS];
  }

  async #assertRunning(): Promise<void> {
    if (!(await isAlive(this.record.init))) {
      throw new LocalVmNotRunningError(`machine ${this.hostname} is not running`);
    }
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export async function readMachineRecord(dir: string): Promise<MachineRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MACHINE_RECORD), "utf8")) as MachineRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * The machine recorded in `dir` (after a restart of the service, or from another process), running
 * or not (`isRunning()` tells; a stopped one can be started again or destroyed); undefined when
 * `dir` holds no record.
 */
export async function openMachine(dir: string, onStopped?: () => void): Promise<LocalMachine | undefined> {
  const record = await readMachineRecord(dir);
  return record && new LocalMachine(dir, record, onStopped);
}
