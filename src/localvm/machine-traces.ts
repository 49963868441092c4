import { access, readFile } from "node:fs/promises";
import { isAlive, processesInNamespace } from "./lib/proc.ts";
import type { MachineRecord } from "./machine.ts";
import { linkExists } from "./network.ts";

/** What is left of a machine on this host; all empty/false after `destroy()`. */
export interface MachineTraces {
  /** Its init, if still running. */
  readonly init: boolean;
  /** Processes still in its network or mount namespace (they would keep the namespace alive). */
  readonly processes: readonly number[];
  /** Its veth link on the host. */
  readonly link: boolean;
  /** Host mounts that mention its directory (none ever should: its mounts are private). */
  readonly mounts: readonly string[];
  /** Its directory. */
  readonly dir: boolean;
}

export async function findMachineTraces(dir: string, record: MachineRecord): Promise<MachineTraces> {
  const [init, inNet, inMount, link, mountinfo, dirExists] = await Promise.all([
    isAlive(record.init),
    processesInNamespace("net", record.netns),
    processesInNamespace("mnt", record.mntns),
    linkExists(record.link),
    readFile("/proc/self/mountinfo", "utf8"),
    access(dir).then(
      () => true,
      () => false,
    ),
  ]);
  return {
    init,
    processes: [...new Set([...inNet, ...inMount])].sort((a, b) => a - b),
    link,
    mounts: mountinfo.split("\n").filter((line) => line.includes(dir)),
    dir: dirExists,
  };
}
