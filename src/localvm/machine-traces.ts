import { access, readFile } from "node:fs/promises";
import { isAlive, processesInNamespaces } from "./lib/proc.ts";
import type { MachineRecord } from "./machine.ts";
import { linkExists } from "./network.ts";

/** What is left of a machine on this host; all empty/false after `destroy()`. */
export interface MachineTraces {
  /** Its init, if still running. */
  readonly init: boolean;
  /** Processes still in its network and mount namespaces (they would keep them alive; see processesInNamespaces). */
  readonly processes: readonly number[];
  /** Its veth link on the host. */
  readonly link: boolean;
  /** Host mounts that mention its directory (none ever should: its mounts are private). */
  readonly mounts: readonly string[];
  /** Its directory. */
  readonly dir: boolean;
}

export async function findMachineTraces(dir: string, record: MachineRecord): Promise<MachineTraces> {
  const [init, processes, link, mountinfo, dirExists] = await Promise.all([
    isAlive(record.init),
    processesInNamespaces({ net: record.netns, mnt: record.mntns }),
    linkExists(record.link),
    readFile("/proc/self/mountinfo", "utf8"),
    access(dir).then(
      () => true,
      () => false,
    ),
  ]);
  return {
    init,
    processes,
    link,
    mounts: mountinfo.split("\n").filter((line) => line.includes(dir)),
    dir: dirExists,
  };
}
