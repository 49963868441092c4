/**
 * Changes fanned out to every replica (issue 10): each transaction that records change-log rows
 * also sends `NOTIFY hostpass_changes, '<schema>:<tenant id>:<version>'` (lib/change-log.ts),
 * which PostgreSQL delivers to every listening session when, and only if, the transaction commits.
 * `subscribe` keeps one connection of its own LISTENing (pooled connections cannot: LISTEN is per
 * session) and reconnects with backoff; while it is down notifications are lost, so `onState`
 * reports it, and a caller catches up (reads the log) when it comes back and polls meanwhile.
 *
 * This process's own commits are told at once, synchronously after the commit and before the
 * caller resumes (`localCommits`, fed by lib/context.ts), not when their notice comes back.
 * A heartbeat (a notice this connection sends to itself every second, through the same queue as
 * every other) tells the caller the listener still hears: `onAlive` (what wire-services.ts judges
 * its freshness by).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

export const CHANGE_CHANNEL = "hostpass_changes";
/** How often the listening connection sends itself a heartbeat notice. */
export const NOTICE_HEARTBEAT_MS = 1_000;

export interface ChangeNotices {
  /**
   * `onChange(tenantId, version)` after a commit of change-log rows in this schema (by any
   * process; this process's own at once), `version` the last one it recorded for the tenant;
   * `onState(true)` once listening (again), `onState(false)` when the connection is lost;
   * `onAlive()` at each heartbeat the listener heard. Returns a function that stops listening.
   */
  subscribe(
    onChange: (tenantId: string, version: number) => void,
    onState?: (listening: boolean) => void,
    onAlive?: () => void,
  ): () => Promise<void>;
}

/** This process's commits, told to the subscribers of its store's notices. */
export class LocalCommits {
  readonly #listeners = new Set<(tenantId: string, version: number) => void>();

  readonly committed = (versions: ReadonlyMap<string, number>): void => {
    for (const listener of this.#listeners)
      for (const [tenantId, version] of versions) {
        // The change is committed: a listener's failure must not fail the write that made it.
        try {
          listener(tenantId, version);
        } catch (error) {
          process.emitWarning(`hostpass: a commit listener failed: ${String(error)}`);
        }
      }
  };

  listen(listener: (tenantId: string, version: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

export function postgresChangeNotices(
  options: { connectionString: string; schema?: string },
  local: LocalCommits = new LocalCommits(),
): ChangeNotices {
  return {
    subscribe(onChange, onState = () => {}, onAlive = () => {}) {
      let stopped = false;
      let client: pg.Client | undefined;
      let timer: NodeJS.Timeout | undefined;
      let beat: NodeJS.Timeout | undefined;
      let retryMs = MIN_RETRY_MS;
      const unlisten = local.listen(onChange);

      const lost = (from: pg.Client) => {
        if (client !== from) return;
        client = undefined;
        if (beat !== undefined) clearInterval(beat);
        beat = undefined;
        from.end().catch(() => undefined);
        onState(false);
        schedule();
      };
      const schedule = () => {
        if (stopped || timer !== undefined) return;
        timer = setTimeout(() => {
          timer = undefined;
          void connect();
        }, retryMs);
        timer.unref();
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      };
      const connect = async () => {
        if (stopped) return;
        const c = new pg.Client({
          connectionString: options.connectionString,
          // Which process's listener it is, for an administrator (pg_stat_activity) and the tests.
          application_name: `hostpass-change-notices ${process.pid}`,
          ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
        });
        c.on("error", () => lost(c));
        c.on("end", () => lost(c));
        client = c;
        try {
          await c.connect();
          // A listener alone never keeps a process alive (a test that forgets close(), a CLI run).
          (
            c as unknown as { connection?: { stream?: { unref?: () => void } } }
          ).connection?.stream?.unref?.();
          const { rows } = await c.query<{ schema: string }>("select current_schema() as schema");
          const schema = rows[0]?.schema ?? "";
          // Heartbeats (this listener's and other processes'): no tenant id is "heartbeat" (ids are UUIDs).
          const heartbeat = `${schema}:heartbeat:${process.pid}:${randomUUID()}`;
          c.on("notification", (message) => {
            const payload = message.payload ?? "";
            if (message.channel !== CHANGE_CHANNEL) return;
            if (payload === heartbeat) return onAlive();
            if (payload.includes(":heartbeat:")) return;
            const colon = payload.indexOf(":");
            const last = payload.lastIndexOf(":");
            if (colon < 0 || last <= colon || payload.slice(0, colon) !== schema) return;
            const version = Number(payload.slice(last + 1));
            if (!Number.isSafeInteger(version)) return;
            onChange(payload.slice(colon + 1, last), version);
          });
          await c.query(`listen ${CHANGE_CHANNEL}`);
          if (stopped || client !== c) return;
          retryMs = MIN_RETRY_MS;
          onState(true);
          onAlive();
          beat = setInterval(() => {
            // A failed heartbeat is a lost connection ('error' follows); a stuck one is silence.
            c.query("select pg_notify($1, $2)", [CHANGE_CHANNEL, heartbeat]).catch(() => lost(c));
          }, NOTICE_HEARTBEAT_MS);
          beat.unref();
        } catch {
          lost(c);
        }
      };
      void connect();
      return async () => {
        stopped = true;
        unlisten();
        if (timer !== undefined) clearTimeout(timer);
        if (beat !== undefined) clearInterval(beat);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      };
    },
  };
}
