/**
 * The service the quickstart runs: `hostpass server --local-machines` on the embedded SQLite store,
 * in the background (its own session, so it outlives the quickstart and the terminal), logging to
 * `<data-dir>/quickstart/server.log`, its pid in `server.pid`.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { HOSTPASS, type QuickstartPaths } from "./paths.ts";

export interface ServiceState {
  readonly publicUrl: string;
  readonly pid: number;
  /** Set when this call started it. */
  readonly started: boolean;
}

/** The service's pid from the pid file when that process is alive and is this data directory's server. */
export async function servicePid(paths: QuickstartPaths): Promise<number | undefined> {
  const pid = Number((await readFile(paths.pidFile, "utf8").catch(() => "")).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const args = cmdline.split("\0");
  return args.includes("server") && args.includes(paths.dataDir) ? pid : undefined;
}

/** Starts the service unless it runs; answers its public URL once it answers there. */
export async function ensureService(paths: QuickstartPaths, port: number): Promise<ServiceState> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const running = await servicePid(paths);
  if (running !== undefined) {
    const publicUrl = await publicUrlOf(paths);
    if (publicUrl && (await healthy(publicUrl, paths))) return { publicUrl, pid: running, started: false };
    throw new Error(`the service (pid ${running}) does not answer; see ${paths.log}`);
  }
  const password = await adminPassword(paths);
  const from = (await stat(paths.log).catch(() => undefined))?.size ?? 0;
  const log = openSync(paths.log, "a", 0o600);
  const args = ["server", "--data-dir", paths.dataDir, "--listen", `127.0.0.1:${port}`, "--local-machines"];
  const child = spawn(HOSTPASS, args, {
    detached: true,
    stdio: ["ignore", log, log],
    env: { ...process.env, HOSTPASS_ADMIN_PASSWORD: password },
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error("could not start hostpass server");
  await writeFile(paths.pidFile, `${child.pid}\n`, { mode: 0o600 });
  child.unref();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const text = (await readFile(paths.log)).subarray(from).toString("utf8");
    const publicUrl = /^public URL: (\S+)$/m.exec(text)?.[1];
    if (publicUrl && /^tenant: /m.test(text)) return { publicUrl, pid: child.pid, started: true };
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`hostpass server did not start:\n${text.trim().split("\n").slice(-15).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the service (SIGTERM, then waits); false when it was not running. */
export async function stopService(paths: QuickstartPaths): Promise<boolean> {
  const pid = await servicePid(paths);
  if (pid === undefined) return false;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while ((await servicePid(paths)) !== undefined) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** The first administrator's password: made by the first run (the service takes it at its first start). */
async function adminPassword(paths: QuickstartPaths): Promise<string> {
  const saved = (await readFile(paths.adminPassword, "utf8").catch(() => "")).trim();
  if (saved !== "") return saved;
  const made = randomBytes(18).toString("base64url");
  await writeFile(paths.adminPassword, `${made}\n`, { mode: 0o600, flag: "wx" });
  return made;
}

/** What the last start printed as its public URL. */
async function publicUrlOf(paths: QuickstartPaths): Promise<string | undefined> {
  const text = await readFile(paths.log, "utf8").catch(() => "");
  return [...text.matchAll(/^public URL: (\S+)$/gm)].at(-1)?.[1];
}

function healthy(publicUrl: string, paths: QuickstartPaths): Promise<boolean> {
  return readFile(paths.certificate, "utf8").then(
    (ca) =>
      new Promise<boolean>((resolve) => {
        const req = request(`${publicUrl}/healthz`, { ca, timeout: 5_000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on("error", () => resolve(false));
        req.on("timeout", () => req.destroy());
        req.end();
      }),
    () => false,
  );
}
