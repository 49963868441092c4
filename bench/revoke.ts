/**
 * `npm run bench -- revoke [--assignments=N] [--rounds=R] [--database=postgres://…]`: role removal
 * (and user disable) to a refused login, with the host agent connected (PRODUCT.md §7: <= 5 s, aim
 * 1 s), in a tenant with N role assignments in the store (default 1,000,000; SQLite in the
 * server's data directory, or PostgreSQL in a schema of its own, dropped afterwards).
 *
 * A real `hostpass server` and a real `hostpass-agent` joined to it in a local machine
 * (test/helpers/agent-host.ts). The large tenant is written through the store's bulk write (rows
 * and change-log entries, 25,000 a transaction), then the server is restarted so its engine loads
 * it as after a restart. Each round gives a user Virtual Machine User Login on the machine
 * through the API, waits until it logs in over ssh, removes the assignment through the API and
 * polls a login every 50 ms until sshd refuses it; the last round disables the user instead. The
 * figure is the time from the API call to the first refused login; the ratio is against 5 s.
 */
import { loadavg } from "node:os";
import type { User } from "../src/directory/index.ts";
import { startJoinedHost } from "../test/helpers/agent-host.ts";
import { until } from "../test/helpers/local-machines.ts";
import { freshSchema, median, numberOption, percentile, round, stringOption } from "./lib-measure.ts";

const TARGET_MS = 5000;

export async function run(args: string[]): Promise<object> {
  const assignments = numberOption(args, "assignments", 1_000_000);
  const rounds = Math.max(2, numberOption(args, "rounds", 21));
  const database = stringOption(args, "database");
  const schema = database ? freshSchema(database, "revoke") : undefined;
  const phases: Record<string, number> = {};
  const seeded = performance.now();
  const host = await startJoinedHost({
    assignments,
    ...(schema ? { database: schema.url } : {}),
    progress: (e) => {
      if (e.phase && e.ms !== undefined) phases[`${e.phase}Seconds`] = round(e.ms / 1000);
      if (e.seeded !== undefined && e.seeded % 100_000 === 0)
        process.stderr.write(
          `revoke: ${e.seeded} assignments written (${round((performance.now() - seeded) / 1000)} s)\n`,
        );
    },
  });
  const setupMs = performance.now() - seeded;
  const loadDuring: number[] = [];
  try {
    const removal: number[] = [];
    let disableMs = Number.NaN;
    for (let r = 0; r < rounds; r++) {
      const u: User = await host.user(`bench${r}`);
      const assignment = await host.assign("Virtual Machine User Login", u.id, host.vm);
      await until(`bench${r} logs in`, async () => (await host.login(u, "true")).code === 0, 30_000);
      const started = performance.now();
      if (r < rounds - 1) {
        const deleted = await host.api("DELETE", assignment);
        if (deleted.status !== 200) throw new Error(`DELETE ${deleted.status}`);
      } else {
        const patched = await host.api("PATCH", `/directory/users/${u.id}`, { accountEnabled: false });
        if (patched.status !== 200) throw new Error(`PATCH ${patched.status}`);
      }
      await until(`bench${r} refused`, async () => (await host.login(u, "true")).code !== 0, 30_000);
      const ms = performance.now() - started;
      loadDuring.push(loadavg()[0] as number);
      if (r < rounds - 1) removal.push(ms);
      else disableMs = ms;
    }
    const worst = Math.max(...removal, disableMs);
    return {
      assignments,
      store: schema ? "postgres" : "sqlite",
      setupSeconds: round(setupMs / 1000),
      ...phases,
      roleRemovedToRefusedMs: {
        n: removal.length,
        median: round(median(removal)),
        p95: round(percentile(removal, 0.95)),
        max: round(Math.max(...removal)),
      },
      userDisabledToRefusedMs: round(disableMs),
      serverRssMiB: round(process.memoryUsage().rss / 2 ** 20, 0),
      loadAverage1m: { median: round(median(loadDuring), 2), max: round(Math.max(...loadDuring), 2) },
      targetMs: TARGET_MS,
      ratio: round(worst / TARGET_MS),
      meetsTarget: worst <= TARGET_MS,
    };
  } finally {
    await host.close();
    await schema?.drop();
  }
}
