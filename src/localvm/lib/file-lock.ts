import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/**
 * An exclusive flock(2) on `path`, shared with other processes (and other helpers' test runs) that
 * take the same lock. Node has no flock, so `flock(1)` takes it on a descriptor this process opened
 * and passes down: flock locks belong to the open file description, so the lock stays held here after
 * flock exits, and is released when we close the descriptor (or when this process dies, so a crash
 * never leaves it taken).
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>, timeoutSeconds = 60): Promise<T> {
  const fd = openSync(path, "a", 0o600);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("/usr/bin/flock", ["--exclusive", "--timeout", String(timeoutSeconds), "3"], {
        stdio: ["ignore", "ignore", "pipe", fd],
      });
      let stderr = "";
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.once("error", reject);
      child.once("exit", (code) => {
        if (code === 0) resolve();
        else reject(new Error(`could not lock ${path} within ${timeoutSeconds} s: ${stderr.trim()}`));
      });
    });
    return await work();
  } finally {
    closeSync(fd);
  }
}
