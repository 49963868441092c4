/**
 * Changes fanned out to every replica (issue 10): each transaction that records change-log rows
 * also sends `NOTIFY hostpass_changes, '<schema>:<tenant id>'` (lib/change-log.ts), which
 * PostgreSQL delivers to every listening session when, and only if, the transaction commits.
 * `subscribe` keeps one connection of its own LISTENing (pooled connections cannot: LISTEN is per
 * session) and reconnects with backoff; while it is down notifications are lost, so `onState`
 * reports it, and a caller catches up (reads the log) when it comes back and polls meanwhile.
 */
import pg from "pg";

export const CHANGE_CHANNEL = "hostpass_changes";

export interface ChangeNotices {
  /**
   * `onChange(tenantId)` after another commit of change-log rows in this schema (by any process);
   * `onState(true)` once listening (again), `onState(false)` when the connection is lost.
   * Returns a function that stops listening.
   */
  subscribe(
    onChange: (tenantId: string) => void,
    onState?: (listening: boolean) => void,
  ): () => Promise<void>;
}

const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

export function postgresChangeNotices(options: { connectionString: string; schema?: string }): ChangeNotices {
  return {
    subscribe(onChange, onState = () => {}) {
      let stopped = false;
      let client: pg.Client | undefined;
      let timer: NodeJS.Timeout | undefined;
      let retryMs = MIN_RETRY_MS;

      const lost = (from: pg.Client) => {
        if (client !== from) return;
        client = undefined;
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
          c.on("notification", (message) => {
            const payload = message.payload ?? "";
            const colon = payload.indexOf(":");
            if (message.channel !== CHANGE_CHANNEL || colon < 0 || payload.slice(0, colon) !== schema) return;
            onChange(payload.slice(colon + 1));
          });
          await c.query(`listen ${CHANGE_CHANNEL}`);
          if (stopped || client !== c) return;
          retryMs = MIN_RETRY_MS;
          onState(true);
        } catch {
          lost(c);
        }
      };
      void connect();
      return async () => {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        const c = client;
        client = undefined;
        await c?.end().catch(() => undefined);
      };
    },
  };
}
