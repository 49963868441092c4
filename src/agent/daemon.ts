/**
 * `hostpass-agent run`: one outbound stream to the service, resumed from the last applied version
 * with exponential backoff; the controller applies what arrives; sshd's log becomes login reports;
 * reports go out in batches (kept while the service is unreachable). No listening socket.
 */
import type { Clock } from "../shared/clock.ts";
import type { AgentStore } from "./agent-store.ts";
import { AgentNotJoinedError, HostStateInvalidError } from "./errors.ts";
import type { AgentLog, HostController } from "./host-controller.ts";
import type { HostPaths } from "./host-paths.ts";
import { parseHostEvent } from "./host-state.ts";
import { readLocalAccounts } from "./local-accounts.ts";
import type { LogSource } from "./log-sources.ts";
import type { ReportQueue } from "./report-queue.ts";
import type { ServiceClient } from "./service-client.ts";
import { loginLogParser } from "./sshd-log.ts";
import { terminateSessions } from "./terminate-sessions.ts";

export interface DaemonOptions {
  readonly paths: HostPaths;
  readonly controller: HostController;
  readonly client: ServiceClient;
  readonly clock: Clock;
  readonly log: AgentLog;
  readonly logSource?: LogSource;
  readonly reports: ReportQueue;
  /** Where sshd's log position is saved, so a restarted agent reports what it missed meanwhile. */
  readonly store: AgentStore;
  /** Reconnect delays: doubling from min to max, with jitter. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number; readonly refusedMs?: number };
  /** No event for this long (the service sends heartbeats every 15 s): reconnect. */
  readonly silenceMs?: number;
  readonly reportEveryMs?: number;
  readonly tickEveryMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

export async function runDaemon(o: DaemonOptions, signal: AbortSignal): Promise<void> {
  const { controller, client, log } = o;
  const { reports } = o;
  const enqueue = (r: Parameters<ReportQueue["push"]>[0]) => reports.push(r);
  const parser = loginLogParser(
    (name) => controller.desired?.logins.find((l) => l.linuxName === name)?.level,
  );
  const saved = await o.store.read<{ position?: string }>("log-position.json");
  let lastPosition = saved?.position;
  o.logSource?.start((line) => {
    for (const r of parser.push(line)) enqueue(r);
  }, lastPosition);
  const savePosition = async () => {
    const position = o.logSource?.position();
    if (position === undefined || position === lastPosition) return;
    await reports.save(); // the reports of the lines read so far first: a position never runs ahead of them
    await o.store.write("log-position.json", { position });
    lastPosition = position;
  };

  const timers = [
    setInterval(() => {
      controller.tick();
      controller.apply().catch(() => undefined);
      for (const r of parser.flush(o.clock())) enqueue(r);
      reports
        .save()
        .then(savePosition)
        .catch((error) => log("warn", "reports not saved", { error: (error as Error).message }));
    }, o.tickEveryMs ?? 5000),
    setInterval(() => {
      void reports.send((batch) => client.postReports(batch));
    }, o.reportEveryMs ?? 1000),
  ];

  await controller.apply(); // the last state on disk again (a reboot, a restart), under the grace rule
  const minMs = o.backoff?.minMs ?? 500;
  const maxMs = o.backoff?.maxMs ?? 60_000;
  let delay = minMs;
  while (!signal.aborted) {
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener("abort", stop, { once: true });
    let watchdog: NodeJS.Timeout | undefined;
    const feed = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => connection.abort(), o.silenceMs ?? 45_000);
    };
    try {
      feed();
      for await (const raw of client.stream(controller.desired?.version, connection.signal)) {
        feed();
        delay = minMs;
        const event = parseHostEvent(raw.type, raw.data);
        controller.contact();
        if (event.type === "snapshot") controller.snapshot(event.state);
        else if (event.type === "patch") {
          if (!controller.patch(event.patch)) {
            log("warn", "a patch without a state to patch: reconnecting for a snapshot");
            break;
          }
        } else if (event.type === "terminateSessions") {
          // in the background: ending sessions waits for processes, and must not hold up the next revocation
          const names = event.linuxNames;
          readLocalAccounts(o.paths)
            .then((local) => terminateSessions(names, controller.knownUids(), local))
            .then((r) => log("info", "sessions terminated", { ended: r.ended, refused: r.refused }))
            .catch((error) => log("error", "sessions not terminated", { error: (error as Error).message }));
        }
        controller.apply().catch(() => undefined);
      }
      if (!signal.aborted) log("warn", "stream ended; reconnecting");
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof AgentNotJoinedError) {
        controller.identityRefused(error.message);
        controller.apply().catch(() => undefined);
        delay = Math.max(delay, o.backoff?.refusedMs ?? 30_000); // an identity is not re-enabled in a second
      } else if (error instanceof HostStateInvalidError) {
        log("error", "the service sent an invalid message; reconnecting", { error: error.message });
      } else {
        log("warn", "service unreachable", { error: (error as Error).message, retryInMs: delay });
      }
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener("abort", stop);
      connection.abort();
    }
    await sleep(delay * (0.75 + Math.random() * 0.5), signal);
    delay = Math.min(maxMs, delay * 2);
  }
  for (const t of timers) clearInterval(t);
  await o.logSource?.stop();
  for (const r of parser.flush(o.clock(), true)) enqueue(r);
  await controller.apply();
  await reports.send((batch) => client.postReports(batch));
  await reports.save();
  await savePosition();
}
