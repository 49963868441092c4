import { randomBytes } from "node:crypto";
import { access, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { makeDirectory } from "../shared/make-directory.ts";
import { withFileLock } from "./lib/file-lock.ts";
import { runChecked } from "./lib/run-command.ts";

/**
 * Host files a machine never gets from the base: its own accounts, sudo rules, sshd, names and ids
 * are written fresh per machine (machine-image.ts), and the host's TLS keys stay on the host.
 */
const NOT_COPIED = new Set([
  "passwd",
  "passwd-",
  "group",
  "group-",
  "shadow",
  "shadow-",
  "gshadow",
  "gshadow-",
  ".pwd.lock",
  "subuid",
  "subuid-",
  "subgid",
  "subgid-",
  "sudoers",
  "sudoers.d",
  "ssh",
  "nsswitch.conf",
  "hostname",
  "hosts",
  "machine-id",
  "localvm",
]);

/** Where machines whose directories share a parent find their base /etc. */
export function defaultBaseDir(machineDir: string): string {
  return join(dirname(machineDir), ".localvm-base");
}

/**
 * The read-only lower layer of every machine's /etc: a copy of this host's /etc as it was when the
 * first machine was made (a Debian "image"), minus what each machine gets of its own. Each machine
 * mounts it under an overlay whose upper layer is its own `etc/`, so a machine costs a dozen small
 * files instead of a copy of /etc (1,300 files, over a second on a slow disk). Built once, under a
 * lock, in a temporary directory renamed into place; never changed afterwards (overlayfs requires
 * that of a lower layer while it is mounted).
 */
export async function ensureBaseImage(baseDir: string): Promise<string> {
  const etc = join(baseDir, "etc");
  const marker = join(baseDir, "base.json");
  const exists = () =>
    access(marker).then(
      () => true,
      () => false,
    );
  if (await exists()) return etc;
  await makeDirectory(dirname(baseDir), 0o700);
  return withFileLock(`${baseDir}.lock`, async () => {
    if (await exists()) return etc;
    const building = `${baseDir}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await makeDirectory(join(building, "etc"), 0o755);
      const copied = (await readdir("/etc"))
        .filter((name) => !NOT_COPIED.has(name))
        .map((name) => join("/etc", name));
      await runChecked("/usr/bin/cp", ["-a", "--target-directory", join(building, "etc"), "--", ...copied]);
      await rm(join(building, "etc", "ssl", "private"), { recursive: true, force: true });
      await writeFileAtomic(
        join(building, "base.json"),
        `${JSON.stringify({ format: 1, from: "/etc" })}\n`,
        0o600,
      );
      await rm(baseDir, { recursive: true, force: true }); // a half-built one from a crash
      await rename(building, baseDir);
    } finally {
      await rm(building, { recursive: true, force: true });
    }
    return etc;
  });
}
