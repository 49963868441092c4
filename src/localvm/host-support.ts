import { access, constants } from "node:fs/promises";
import { LocalVmUnsupportedError } from "./errors.ts";

/** What decides whether this host can run local machines; injectable so the refusal is testable as root. */
export interface HostFacts {
  readonly platform: NodeJS.Platform;
  readonly uid: number;
  /** The required programs found (they exist and are executable). */
  readonly found: ReadonlySet<string>;
}

/** The programs a local machine needs, all from Debian's base system or `scripts/setup.sh`. */
export const REQUIRED_PATHS = Object.freeze([
  "/usr/sbin/ip",
  "/usr/bin/unshare",
  "/usr/bin/nsenter",
  "/usr/bin/flock",
  "/usr/bin/mount",
  "/usr/bin/cp",
  "/usr/bin/bash",
  "/usr/sbin/sshd",
  "/usr/bin/ssh-keygen",
  "/usr/sbin/visudo",
  "/usr/bin/setsid",
  "/usr/bin/hostname",
]);

export async function currentHostFacts(): Promise<HostFacts> {
  const found = new Set<string>();
  await Promise.all(
    REQUIRED_PATHS.map(async (path) => {
      try {
        await access(path, constants.X_OK);
        found.add(path);
      } catch {
        // missing: reported below with the others
      }
    }),
  );
  return { platform: process.platform, uid: process.getuid?.() ?? -1, found };
}

/**
 * Refuses, with one clear message, a host that cannot make local machines: they are Linux network,
 * mount, UTS, IPC and PID namespaces plus veth links, which only root on Linux can create.
 */
export function assertLocalVmSupported(facts: HostFacts): void {
  if (facts.platform !== "linux") {
    throw new LocalVmUnsupportedError(
      `local machines need Linux (namespaces); this host runs ${facts.platform}. Use a real host: \`hostpass vm create\` without the local provider prints its join command`,
    );
  }
  if (facts.uid !== 0) {
    throw new LocalVmUnsupportedError(
      "local machines need root (they create network and mount namespaces); run the service as root or use a real host with its join command",
    );
  }
  const missing = REQUIRED_PATHS.filter((path) => !facts.found.has(path));
  if (missing.length > 0) {
    throw new LocalVmUnsupportedError(
      `local machines need ${missing.join(", ")}; run scripts/setup.sh (it installs them)`,
    );
  }
}

let checked: Promise<void> | undefined;

/** Checks this host once per process. */
export function ensureLocalVmSupported(): Promise<void> {
  checked ??= currentHostFacts().then(assertLocalVmSupported);
  checked.catch(() => {
    checked = undefined;
  });
  return checked;
}
