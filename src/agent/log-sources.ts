/**
 * Where the agent reads sshd's log from, without being in the login path: journald
 * (`journalctl --follow -o json`, the pid and time of every line) on systemd hosts, or a file
 * (`/var/log/auth.log` written by syslog, or the file `sshd -E` writes) followed like `tail -F`
 * across rotation and truncation.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { open, stat } from "node:fs/promises";
import type { Clock } from "../shared/clock.ts";
import type { LogLine } from "./sshd-log.ts";

export interface LogSource {
  /** Starts reading; `from` is a `position()` saved earlier (resume where the last run stopped). */
  start(onLine: (line: LogLine) => void, from?: string): void;
  /** Where reading stands now (after the last complete line handed out), to save and resume from. */
  position(): string | undefined;
  stop(): Promise<void>;
}

/** `2026-11-30T05:12:00.123456+00:00 host sshd[123]: msg` (Debian's rsyslog) or `Nov 30 05:12:00 host sshd[123]: msg`. */
const SYSLOG = /^(\d{4}-\d\d-\d\dT\S+|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) \S+ ([\w.-]+)\[(\d+)\]: (.*)$/;
const SSHD_PROGRAMS = new Set(["sshd", "sshd-session"]);

/** One line of a log file: syslog lines of sshd keep their pid and time; other programs' lines are skipped. */
export function parseLogFileLine(text: string, clock: Clock): LogLine | undefined {
  const m = SYSLOG.exec(text);
  if (!m) return { message: text, at: clock() };
  if (!SSHD_PROGRAMS.has(m[2] as string)) return undefined;
  const stamp = Date.parse(m[1] as string);
  return {
    message: m[4] as string,
    pid: Number(m[3]),
    at: Number.isNaN(stamp) || !m[1]?.includes("T") ? clock() : stamp,
  };
}

const MAX_READ = 1 << 20;

export function fileLogSource(path: string, clock: Clock, pollMs = 200): LogSource {
  let timer: NodeJS.Timeout | undefined;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let inode = -1;
  let offset = 0;
  let partial = "";
  let busy = false;
  let first = true;
  let resume: { ino: number; offset: number } | undefined;

  const readMore = async (onLine: (line: LogLine) => void) => {
    if (!handle) return;
    for (;;) {
      const buffer = Buffer.alloc(MAX_READ);
      const { bytesRead } = await handle.read(buffer, 0, MAX_READ, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      const text = partial + buffer.subarray(0, bytesRead).toString("utf8");
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        const line = l && parseLogFileLine(l, clock);
        if (line) onLine(line);
      }
    }
  };

  const poll = async (onLine: (line: LogLine) => void) => {
    if (busy) return;
    busy = true;
    try {
      const st = await stat(path).catch(() => undefined);
      if (st && st.ino !== inode) {
        await readMore(onLine); // the rest of a rotated file first
        await handle?.close();
        handle = await open(path, "r");
        const opened = await handle.stat();
        inode = opened.ino;
        if (first && resume?.ino === inode && resume.offset <= opened.size) offset = resume.offset;
        else offset = first && !resume ? opened.size : 0; // a first start reports from now on; a rotated file from its start
        partial = "";
      } else if (st && st.size < offset) {
        offset = 0; // truncated in place
        partial = "";
      }
      first = false;
      await readMore(onLine);
    } finally {
      busy = false;
    }
  };

  return {
    start(onLine, from) {
      try {
        const p = from ? (JSON.parse(from) as { ino?: unknown; offset?: unknown }) : undefined;
        if (p && Number.isSafeInteger(p.ino) && Number.isSafeInteger(p.offset))
          resume = p as { ino: number; offset: number };
      } catch {
        resume = undefined;
      }
      const tick = () => {
        poll(onLine).catch(() => undefined);
      };
      tick();
      timer = setInterval(tick, pollMs);
    },
    position() {
      return inode < 0
        ? undefined
        : JSON.stringify({ ino: inode, offset: offset - Buffer.byteLength(partial) });
    },
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 5));
      await handle?.close();
      handle = undefined;
    },
  };
}

/** One `journalctl -o json` record → a line (MESSAGE may be an array of bytes when not UTF-8). */
export function parseJournalRecord(json: string, clock: Clock): (LogLine & { cursor?: string }) | undefined {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const raw = r.MESSAGE;
  const message =
    typeof raw === "string"
      ? raw
      : Array.isArray(raw)
        ? Buffer.from(raw as number[]).toString("utf8")
        : undefined;
  if (message === undefined) return undefined;
  const pid = Number(r._PID);
  const micros = Number(r.__REALTIME_TIMESTAMP);
  return {
    message,
    ...(typeof r.__CURSOR === "string" ? { cursor: r.__CURSOR } : {}),
    ...(Number.isSafeInteger(pid) ? { pid } : {}),
    at: Number.isFinite(micros) && micros > 0 ? Math.floor(micros / 1000) : clock(),
  };
}

export function journalLogSource(clock: Clock, journalctl = "journalctl"): LogSource {
  let child: ChildProcess | undefined;
  let stopped = false;
  let restart: NodeJS.Timeout | undefined;
  let cursor: string | undefined;
  const launch = (onLine: (line: LogLine) => void) => {
    const from = cursor ? [`--after-cursor=${cursor}`] : ["--lines=0"];
    const c = spawn(journalctl, ["--follow", "--output=json", ...from, "-t", "sshd", "-t", "sshd-session"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    child = c;
    let partial = "";
    c.stdout?.setEncoding("utf8");
    c.stdout?.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        const record = parseJournalRecord(l, clock);
        if (!record) continue;
        const { cursor: next, ...line } = record;
        if (next) cursor = next;
        onLine(line);
      }
    });
    c.once("exit", () => {
      if (!stopped) restart = setTimeout(() => launch(onLine), 1000);
    });
    c.once("error", () => undefined);
  };
  return {
    start(onLine, from) {
      if (from && /^[\x21-\x7e]{1,512}$/.test(from)) cursor = from;
      launch(onLine);
    },
    position: () => cursor,
    async stop() {
      stopped = true;
      clearTimeout(restart);
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child?.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
