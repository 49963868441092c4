/**
 * A child process of `npm run bench -- agents`: a share of the simulated agents
 * (test/helpers/simulated-agents.ts), driven by the parent over IPC. Messages in: `connect`
 * (specs, server, CA), `collect` (the first patch naming an object id since a time, per agent),
 * `close`. Messages out: `connected`, `receipts`, `error`.
 */

import { readFile } from "node:fs/promises";
import {
  connectAgents,
  type Receipt,
  type SimulatedAgentSpec,
  type SimulatedAgents,
} from "../test/helpers/simulated-agents.ts";

type Message =
  | {
      type: "connect";
      specs: SimulatedAgentSpec[];
      server: string;
      caFile: string;
      firstIndex: number;
      concurrency: number;
    }
  | { type: "collect"; objectId: string; since: number }
  | { type: "close" };

let agents: SimulatedAgents | undefined;
let kept: Receipt[] = [];

const reply = (m: object) => process.send?.(m);

process.on("message", (m: Message) => {
  void (async () => {
    try {
      if (m.type === "connect") {
        const started = performance.now();
        const caPem = await readFile(m.caFile, "utf8");
        agents = await connectAgents(m.specs, {
          server: m.server,
          caPem,
          caFile: m.caFile,
          concurrency: m.concurrency,
          firstIndex: m.firstIndex,
        });
        reply({ type: "connected", count: agents.connected, ms: performance.now() - started });
      } else if (m.type === "collect") {
        kept = kept.concat(agents?.take() ?? []).filter((r) => r.at >= m.since);
        const first = new Map<number, number>();
        for (const r of kept)
          if (r.objectIds.includes(m.objectId) && !first.has(r.agent)) first.set(r.agent, r.at);
        reply({
          type: "receipts",
          objectId: m.objectId,
          list: [...first],
          failures: agents?.failures.length ?? 0,
        });
      } else if (m.type === "close") {
        await agents?.close();
        process.exit(0);
      }
    } catch (error) {
      reply({ type: "error", message: error instanceof Error ? error.stack : String(error) });
    }
  })();
});
