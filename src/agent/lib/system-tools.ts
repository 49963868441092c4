/**
 * The host programs the agent relies on to check and activate what it writes: `sshd -t` / `-T`,
 * `visudo -c`, and the sshd reload. Behind an interface so the file layer can be tested under a
 * scratch root with the real programs pointed at its files.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { ConfigCheckFailedError } from "../errors.ts";

const run = promisify(execFile);

export interface SystemTools {
  /** `sshd -t -f config`; throws ConfigCheckFailedError with sshd's complaint. */
  checkSshdConfig(configPath: string): Promise<void>;
  /** `sshd -T -f config`: the effective global settings, keyword (lower case) → values in order. */
  effectiveSshdConfig(configPath: string): Promise<Map<string, string[]>>;
  /** `visudo -c -f file`; throws ConfigCheckFailedError. */
  checkSudoers(path: string): Promise<void>;
  /** Makes the running sshd read its configuration again (new connections only). */
  reloadSshd(): Promise<void>;
}

export interface SystemToolsOptions {
  readonly sshd?: string;
  readonly visudo?: string;
  /**
   * How to reload sshd: `systemd` (`systemctl reload ssh.service`), `pidfile:PATH` (SIGHUP to the
   * pid in PATH), `none`. Default: systemd when it runs, else sshd's PidFile.
   */
  readonly reload?: string;
}

async function check(file: string, args: string[], what: string): Promise<string> {
  try {
    const { stdout } = await run(file, args, { encoding: "utf8", timeout: 30_000, maxBuffer: 4 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const detail = (e.stderr || e.stdout || e.message).trim().split("\n").slice(0, 5).join("; ");
    throw new ConfigCheckFailedError(`${what} refused the configuration: ${detail}`, { cause: error });
  }
}

export function systemTools(options: SystemToolsOptions = {}): SystemTools {
  const sshd = options.sshd ?? "/usr/sbin/sshd";
  const visudo = options.visudo ?? "/usr/sbin/visudo";
  const tools: SystemTools = {
    checkSshdConfig: async (configPath) => {
      await check(sshd, ["-t", "-f", configPath], "sshd -t");
    },
    effectiveSshdConfig: async (configPath) => {
      const out = await check(sshd, ["-T", "-f", configPath], "sshd -T");
      const settings = new Map<string, string[]>();
      for (const line of out.split("\n")) {
        const at = line.indexOf(" ");
        if (at <= 0) continue;
        const key = line.slice(0, at);
        settings.set(key, [...(settings.get(key) ?? []), line.slice(at + 1)]);
      }
      return settings;
    },
    checkSudoers: async (path) => {
      await check(visudo, ["-c", "-q", "-f", path], "visudo -c");
    },
    reloadSshd: async () => {
      const how = options.reload ?? (existsSync("/run/systemd/system") ? "systemd" : "pidfile:/run/sshd.pid");
      if (how === "none") return;
      if (how === "systemd") {
        await check("systemctl", ["reload", "ssh.service"], "systemctl reload ssh");
        return;
      }
      if (!how.startsWith("pidfile:")) throw new TypeError(`unknown sshd reload method ${how}`);
      let pid: number;
      try {
        pid = Number.parseInt((await readFile(how.slice("pidfile:".length), "utf8")).trim(), 10);
      } catch {
        return; // no running sshd: it reads the new configuration when it starts
      }
      if (!Number.isSafeInteger(pid) || pid <= 1) return;
      try {
        process.kill(pid, "SIGHUP");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    },
  };
  return Object.freeze(tools);
}
