/**
 * sshd's log lines (LogLevel VERBOSE, which the agent's drop-in sets) → login attempt reports.
 * Pure: the caller feeds lines (from journald with the pid, or a log file without) and gets
 * `AgentReport`s of type `login`.
 *
 * The facts of a report (user, source address, result, certificate key id and serial) come from
 * one line (`Accepted publickey …` / `Failed publickey …`), so they are never mixed up between
 * concurrent connections. A user name and a certificate key id are chosen by the client (and
 * logged before the CA signature is checked), so either can contain `from 10.0.0.1 port 22`; the
 * real address is the one of a connection sshd announced earlier (`Connection from A port P`),
 * which no client text can forge. The reason of a refusal comes from the line sshd logs just
 * before (`… revoked by file …`); with pids (journald, syslog) it is matched by process, without
 * (sshd -E) by adjacency.
 */
import type { AgentReport, LoginLevel } from "../shared/host-protocol.ts";
import { shapeLoginReport } from "./login-report-shape.ts";

type LoginReport = Extract<AgentReport, { type: "login" }>;

export interface LogLine {
  readonly message: string;
  /** The sshd process that logged it, when the source knows. */
  readonly pid?: number;
  /** Epoch ms when sshd logged it, when the source knows (else the time it was read). */
  readonly at: number;
}

const CONNECTION = /^Connection from (\S+) port (\d+) on /;
const CERT_DETAIL = /^\S+-CERT \S+ ID (.*) \(serial (\d+)\) CA \S+ \S+$/;
const REASONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Authentication key \S+ \S+ revoked by file /, () => "certificate revoked"],
  [/^Certificate does not contain an authorized principal/, () => "principal not allowed"],
  [/^Certificate invalid: (.*)$/, (m) => `certificate invalid: ${m[1]}`],
  [/^Access denied for user .* by PAM account configuration/, () => "refused by PAM account check"],
  [/^User .* not allowed because (.*)$/, (m) => `not allowed: ${m[1]}`],
  [/^Authentication refused: (.*)$/, (m) => `authentication refused: ${m[1]}`],
];
/** A connection that never logs its end (sshd killed, lines lost) is reported after this. */
const STALE_MS = 150_000;
const MAX_TRACKED = 10_000;

interface Connection {
  user?: string;
  reported: boolean;
  reason?: string;
  seen: number;
}

interface Located {
  readonly user: string;
  readonly address: string;
  readonly port: string;
  readonly rest: string;
}

/**
 * Splits `<head><user><sep><address> port <port><rest>` at each place the address could be;
 * prefers the split naming a connection sshd announced, else the first one whose rest fits.
 */
function locate(
  message: string,
  head: RegExp,
  sep: string,
  rest: RegExp,
  known: (key: string) => boolean,
): Located | undefined {
  const h = head.exec(message);
  if (!h) return undefined;
  const body = message.slice(h[0].length);
  const finder = new RegExp(`${sep}(\\S+) port (\\d+)`, "g");
  let first: Located | undefined;
  for (let m = finder.exec(body); m; m = finder.exec(body)) {
    const tail = body.slice(m.index + m[0].length);
    if (!rest.test(tail) || m.index === 0) continue;
    const found = { user: body.slice(0, m.index), address: m[1] as string, port: m[2] as string, rest: tail };
    if (known(`${found.address} ${found.port}`)) return found;
    first ??= found;
  }
  return first;
}

export interface LoginLogParser {
  /** Feeds one line; returns the reports it completes. */
  push(line: LogLine): LoginReport[];
  /** Reports attempts whose connection ended without a line saying so (`all`: every open one). */
  flush(now: number, all?: boolean): LoginReport[];
}

export function loginLogParser(levelOf: (linuxName: string) => LoginLevel | undefined): LoginLogParser {
  const connections = new Map<string, Connection>();
  const reasonByPid = new Map<number, string>();
  let lastReason: string | undefined;
  const known = (key: string) => connections.has(key);

  const connection = (address: string, port: string, at: number): Connection => {
    const key = `${address} ${port}`;
    let c = connections.get(key);
    if (!c) {
      c = { reported: false, seen: at };
      if (connections.size < MAX_TRACKED) connections.set(key, c);
    }
    c.seen = at;
    return c;
  };
  const takeReason = (line: LogLine): string | undefined => {
    const reason = line.pid !== undefined ? reasonByPid.get(line.pid) : lastReason;
    if (line.pid !== undefined) reasonByPid.delete(line.pid);
    lastReason = undefined;
    return reason;
  };
  const report = (
    at: number,
    user: string,
    address: string,
    result: "success" | "failure",
    extra: Partial<LoginReport> = {},
  ): LoginReport => {
    const level = result === "success" ? levelOf(user) : undefined;
    // a user name or key id of a refused attempt is whatever the client sent: shaped for the service
    return shapeLoginReport({
      type: "login",
      at,
      linuxName: user,
      result,
      sourceAddress: address,
      ...extra,
      ...(level ? { level } : {}),
    });
  };
  const certOf = (detail: string): Partial<LoginReport> => {
    const m = CERT_DETAIL.exec(detail.replace(/^: /, ""));
    return m ? { keyId: m[1] as string, certificateSerial: m[2] as string } : {};
  };

  const handlers: ((line: LogLine, msg: string) => LoginReport[] | undefined)[] = [
    (line, msg) => {
      const m = CONNECTION.exec(msg);
      if (!m) return undefined;
      connection(m[1] as string, m[2] as string, line.at);
      return [];
    },
    (line, msg) => {
      const l = locate(msg, /^Accepted (\S+) for /, " from ", /^ ssh2(?:: .*)?$/, known);
      if (!l) return undefined;
      connection(l.address, l.port, line.at).reported = true;
      takeReason(line);
      const method = /^Accepted (\S+)/.exec(msg)?.[1];
      return [
        report(line.at, l.user, l.address, "success", method === "publickey" ? certOf(l.rest.slice(5)) : {}),
      ];
    },
    (line, msg) => {
      const l = locate(msg, /^Failed \S+ for (?:invalid user )?/, " from ", /^ ssh2(?:: .*)?$/, known);
      if (!l) return undefined;
      const c = connection(l.address, l.port, line.at);
      c.user = l.user;
      const reason = takeReason(line) ?? c.reason;
      const cert = certOf(l.rest.slice(5));
      if (!cert.keyId) {
        if (reason) c.reason = reason;
        return [];
      }
      c.reported = true;
      return [report(line.at, l.user, l.address, "failure", { ...cert, ...(reason ? { reason } : {}) })];
    },
    (line, msg) => {
      const l = locate(msg, /^Invalid user /, " from ", /^$/, known);
      if (!l) return undefined;
      const c = connection(l.address, l.port, line.at);
      c.user = l.user;
      c.reason = "unknown user";
      return [];
    },
    (line, msg) => {
      const head =
        /^(?:Connection closed by|Disconnected from|Connection reset by|Disconnecting) (?:authenticating |invalid )?user /;
      const l = locate(msg, head, " ", /^(?::.*)? \[preauth\]$|^$/, known);
      if (!l) return undefined;
      const key = `${l.address} ${l.port}`;
      const c = connections.get(key);
      connections.delete(key);
      if (!c || c.reported || !/\[preauth\]$/.test(msg)) return [];
      const reason = c.reason ?? takeReason(line) ?? "authentication failed";
      return [report(line.at, c.user ?? l.user, l.address, "failure", { reason })];
    },
  ];

  return {
    push(line) {
      const msg = line.message.trim();
      for (const handle of handlers) {
        const out = handle(line, msg);
        if (out) return out;
      }
      for (const [pattern, reasonOf] of REASONS) {
        const r = pattern.exec(msg);
        if (!r) continue;
        if (line.pid === undefined) lastReason = reasonOf(r);
        else if (reasonByPid.size < MAX_TRACKED) reasonByPid.set(line.pid, reasonOf(r));
        break;
      }
      return [];
    },
    flush(now, all = false) {
      const out: LoginReport[] = [];
      for (const [key, c] of connections) {
        if (!all && now - c.seen < STALE_MS) continue;
        connections.delete(key);
        if (c.user && !c.reported) {
          out.push(
            report(c.seen, c.user, key.split(" ")[0] as string, "failure", {
              reason: c.reason ?? "authentication failed",
            }),
          );
        }
      }
      if (reasonByPid.size > 1000) reasonByPid.clear();
      return out;
    },
  };
}
