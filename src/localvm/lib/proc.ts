import { readdir, readFile, readlink } from "node:fs/promises";

/**
 * What /proc says about a process: enough to recognise a machine's init again after a restart of
 * the service (a pid alone may have been reused; pid + start time may not).
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot when the process started. */
  readonly startTicks: string;
}

interface ProcessStat {
  readonly state: string;
  readonly startTicks: string;
}

async function readStat(pid: number): Promise<ProcessStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain anything, so count after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const [state, startTicks] = [fields[0], fields[19]];
    return state && startTicks ? { state, startTicks } : undefined;
  } catch {
    return undefined;
  }
}

export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  const stat = await readStat(pid);
  return stat ? { pid, startTicks: stat.startTicks } : undefined;
}

/** Running (not exited, not a zombie waiting for its parent) and still the same process. */
export async function isAlive(process: ProcessIdentity): Promise<boolean> {
  const stat = await readStat(process.pid);
  return (
    stat !== undefined && stat.startTicks === process.startTicks && stat.state !== "Z" && stat.state !== "X"
  );
}

export async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8");
    return text.trim() === "" ? [] : text.trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** `net:[4026532...]`: the identity of a process's network namespace. */
export async function namespaceOf(
  pid: number,
  kind: "net" | "mnt" | "pid" | "uts",
): Promise<string | undefined> {
  return readlink(`/proc/${pid}/ns/${kind}`).catch(() => undefined);
}

/** Every process of this host (any PID namespace is visible from the host's) in a given namespace. */
/**
 * The processes in a machine's network AND mount namespaces. Both, because the kernel reuses a
 * freed namespace's inode number: once a machine's namespaces are gone, another program's new
 * mount (or network) namespace may carry the same number, and must never be taken for (or killed
 * as) a process of the machine. Every process of a machine (its init's descendants, and what
 * `exec` enters) is in both.
 */
export async function processesInNamespaces(namespaces: { net: string; mnt: string }): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      if ((await namespaceOf(pid, "net")) !== namespaces.net) return;
      if ((await namespaceOf(pid, "mnt")) === namespaces.mnt) found.push(pid);
    }),
  );
  return found.sort((a, b) => a - b);
}

export async function waitUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  stepMs = 10,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
