import { createHash } from "node:crypto";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { makeDirectory } from "../shared/make-directory.ts";
import { LocalVmSpecError } from "./errors.ts";
import { LocalMachine, openMachine } from "./machine.ts";
import type { MachineImageSpec } from "./machine-image.ts";
import { createNetwork, destroyNetwork, type LocalNetwork, type LocalNetworkRecord } from "./network.ts";
import { type MachineBind, startMachine } from "./start-machine.ts";

/** What the provider keeps per machine to start it again after a reboot. */
export interface ProvidedMachineSpec extends MachineImageSpec {
  /** The machine's resource id (canonical); machines are found by its lower-case form. */
  readonly id: string;
  readonly binds?: readonly MachineBind[];
  readonly sshdArgs?: readonly string[];
}

export interface ProvidedMachineState {
  readonly id: string;
  readonly hostname: string;
  readonly address: string;
  readonly running: boolean;
  /** Why it could not be resumed (then it is not running). */
  readonly error?: string;
}

const NETWORK_FILE = "network.json";
const SPEC_FILE = "provider.json";

/**
 * The local machine provider: machines of this host for `hostpass vm create`, kept in one
 * directory (`<data-dir>/machines`) with one private network, so that they survive a restart of
 * the service (found again, or started again after a reboot of the host, with the same address,
 * host keys and disk). Operations on one machine are serialised; different machines run in parallel.
 */
export class LocalMachineProvider {
  readonly root: string;
  readonly network: LocalNetwork;
  readonly #machines = new Map<string, LocalMachine>();
  readonly #queues = new Map<string, Promise<unknown>>();

  private constructor(root: string, network: LocalNetwork) {
    this.root = root;
    this.network = network;
  }

  /** Opens (or makes) the provider's directory and its network (same subnet as before when still free). */
  static async open(root: string): Promise<LocalMachineProvider> {
    await makeDirectory(root, 0o700);
    const saved = await readJson<LocalNetworkRecord>(join(root, NETWORK_FILE));
    const network = await createNetwork(saved ? { record: saved } : {});
    await writeFileAtomic(join(root, NETWORK_FILE), `${JSON.stringify(network.toJSON())}\n`, 0o600);
    return new LocalMachineProvider(root, network);
  }

  /**
   * Finds every recorded machine again: a running one is adopted, a stopped one (the host rebooted,
   * or it was killed) is started again on its address. Call once, after `open`. A machine that
   * cannot be resumed is reported (`error`) and the others still are.
   */
  async resume(): Promise<ProvidedMachineState[]> {
    const states: ProvidedMachineState[] = [];
    for (const name of (await readdir(this.root)).filter((entry) => entry.startsWith("vm-")).sort()) {
      const spec = await readJson<ProvidedMachineSpec>(join(this.root, name, SPEC_FILE));
      if (!spec) continue; // a create that never got as far as its spec: nothing to resume
      const dir = join(this.root, name);
      try {
        states.push(await this.#serial(spec.id, () => this.#resumeOne(dir, spec)));
      } catch (error) {
        const record = await openMachine(dir);
        const address = record?.address ?? "";
        states.push({ id: spec.id, hostname: spec.hostname, address, running: false, error: String(error) });
      }
    }
    return states;
  }

  /** Starts a machine for a resource, or returns the running one (creating twice is harmless). */
  create(spec: ProvidedMachineSpec): Promise<LocalMachine> {
    return this.#serial(spec.id, async () => {
      const known = this.#machines.get(keyOf(spec.id));
      if (known && (await known.isRunning())) return known;
      const dir = this.#dirOf(spec.id);
      await makeDirectory(dir, 0o700);
      await writeFileAtomic(join(dir, SPEC_FILE), `${JSON.stringify(spec)}\n`, 0o600);
      const machine = await startMachine({ ...spec, dir, network: this.network });
      this.#machines.set(keyOf(spec.id), machine);
      return machine;
    });
  }

  /** The machine of a resource, if this provider has it (running or not). */
  async get(id: string): Promise<LocalMachine | undefined> {
    return this.#machines.get(keyOf(id)) ?? (await openMachine(this.#dirOf(id)));
  }

  /** Destroys a resource's machine: nothing of it stays. False when there was none. */
  delete(id: string): Promise<boolean> {
    return this.#serial(id, async () => {
      const dir = this.#dirOf(id);
      const machine = this.#machines.get(keyOf(id)) ?? (await openMachine(dir));
      this.#machines.delete(keyOf(id));
      if (machine) await machine.destroy();
      const existed = machine !== undefined || (await readJson(join(dir, SPEC_FILE))) !== undefined;
      await rm(dir, { recursive: true, force: true });
      return existed;
    });
  }

  async list(): Promise<ProvidedMachineState[]> {
    const states: ProvidedMachineState[] = [];
    for (const name of (await readdir(this.root)).filter((entry) => entry.startsWith("vm-")).sort()) {
      const spec = await readJson<ProvidedMachineSpec>(join(this.root, name, SPEC_FILE));
      const machine = spec && (await this.get(spec.id));
      if (spec && machine) states.push(await stateOf(spec.id, machine));
    }
    return states;
  }

  /** Destroys every machine and the network, and removes the directory: what `quickstart --remove` does. */
  async destroyAll(): Promise<void> {
    for (const state of await this.list()) await this.delete(state.id);
    await destroyNetwork(this.network);
    await rm(this.root, { recursive: true, force: true });
  }

  async #resumeOne(dir: string, spec: ProvidedMachineSpec): Promise<ProvidedMachineState> {
    const found = await openMachine(dir);
    if (found && (await found.isRunning()) && found.record.network.name === this.network.name) {
      this.network.claimAddress(found.address);
      const adopted = new LocalMachine(dir, found.record, () => this.network.releaseAddress(found.address));
      this.#machines.set(keyOf(spec.id), adopted);
      return stateOf(spec.id, adopted);
    }
    if (found && (await found.isRunning())) await found.stop(); // on a network we no longer have
    const sameSubnet = found?.record.network.subnet === this.network.subnet;
    const machine = await startMachine({
      ...spec,
      dir,
      network: this.network,
      ...(found && sameSubnet ? { address: found.address } : {}),
    });
    this.#machines.set(keyOf(spec.id), machine);
    return stateOf(spec.id, machine);
  }

  #dirOf(id: string): string {
    if (id.trim() === "") throw new LocalVmSpecError("a machine needs a resource id");
    return join(this.root, `vm-${createHash("sha256").update(keyOf(id)).digest("hex").slice(0, 16)}`);
  }

  #serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const key = keyOf(id);
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.#queues.set(key, next);
    void next
      .finally(() => {
        if (this.#queues.get(key) === next) this.#queues.delete(key);
      })
      .catch(() => undefined);
    return next;
  }
}

function keyOf(id: string): string {
  return id.toLowerCase();
}

async function stateOf(id: string, machine: LocalMachine): Promise<ProvidedMachineState> {
  return { id, hostname: machine.hostname, address: machine.address, running: await machine.isRunning() };
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
