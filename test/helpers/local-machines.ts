/**
 * Local machines for tests (src/localvm): one private network per test file or suite, machines on
 * it, and a cleanup that destroys them all and checks nothing is left (processes, namespaces,
 * mounts, links, files), even when the test failed.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createNetwork,
  destroyNetwork,
  findMachineTraces,
  type LocalMachine,
  type LocalNetwork,
  type StartMachineOptions,
  startMachine,
} from "../../src/localvm/index.ts";
import { exec, sshKeygen } from "./openssh.ts";

export interface MachineLab {
  readonly network: LocalNetwork;
  /** Holds the machines' directories (and their shared base /etc). */
  readonly root: string;
  start(
    options: Omit<StartMachineOptions, "dir" | "network"> & { readonly dir?: string },
  ): Promise<LocalMachine>;
  /** Destroys every machine still running and the network; asserts that nothing of them is left. */
  close(): Promise<void>;
}

export async function openMachineLab(): Promise<MachineLab> {
  const root = await mkdtemp(join(tmpdir(), "hostpass-localvm-"));
  const network = await createNetwork();
  const machines: LocalMachine[] = [];
  return {
    network,
    root,
    async start(options) {
      const machine = await startMachine({
        ...options,
        dir: options.dir ?? join(root, options.hostname),
        network,
      });
      machines.push(machine);
      return machine;
    },
    async close() {
      try {
        for (const machine of machines) {
          await machine.destroy();
          const traces = await findMachineTraces(machine.dir, machine.record);
          assert.deepEqual(traces, { init: false, processes: [], link: false, mounts: [], dir: false });
        }
      } finally {
        await destroyNetwork(network);
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh Ed25519 key pair in `dir`: `{ key, publicKey }` (paths) and the public line. */
export async function makeUserKey(
  dir: string,
  name = "id_ed25519",
): Promise<{ key: string; publicLine: string }> {
  const key = join(dir, name);
  await sshKeygen(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key]);
  const { stdout } = await exec("cat", [`${key}.pub`]);
  return { key, publicLine: stdout.trim() };
}

/** Polls `check` every 50 ms until it holds; answers how long it took (ms), or fails after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}
