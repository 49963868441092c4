import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ServiceError } from "../cli/session/errors.ts";
import type { AgentReport } from "../shared/host-protocol.ts";
import { openAgentStore } from "./agent-store.ts";
import { hostPaths } from "./host-paths.ts";
import { ReportQueue } from "./report-queue.ts";

const login = (n: number): AgentReport => ({
  type: "login",
  at: n,
  linuxName: `u${n}`,
  result: "failure",
  sourceAddress: "10.0.0.1",
});

describe("report queue", () => {
  it("sends in batches of 500, keeps what the service could not take, and survives a restart", async () => {
    const root = await mkdtemp(join(tmpdir(), "hostpass-reports-"));
    try {
      const store = await openAgentStore(hostPaths(root));
      const q = new ReportQueue(store, () => undefined);
      for (let i = 0; i < 1200; i++) q.push(login(i));
      const batches: number[] = [];
      let down = true;
      const post = async (batch: readonly AgentReport[]) => {
        if (down) throw new Error("unreachable");
        batches.push(batch.length);
      };
      await q.send(post);
      assert.equal(q.length, 1200);
      await q.save();
      const again = new ReportQueue(store, () => undefined);
      await again.load();
      assert.equal(again.length, 1200);
      down = false;
      await again.send(post);
      assert.deepEqual(batches, [500, 500, 200]);
      assert.equal(again.length, 0);
    } finally {
      await rm(root, { recursive: true });
    }
  });

  it("a report the service refuses as malformed is dropped, not retried forever; the others go", async () => {
    const root = await mkdtemp(join(tmpdir(), "hostpass-reports-"));
    try {
      const logged: string[] = [];
      const q = new ReportQueue(await openAgentStore(hostPaths(root)), (_l, event) => logged.push(event));
      for (let i = 0; i < 5; i++) q.push(login(i));
      const sent: number[] = [];
      await q.send(async (batch) => {
        const bad = batch.findIndex((r) => r.at === 2);
        if (bad >= 0)
          throw new ServiceError(
            400,
            "ERR_AGENT_REPORT_INVALID",
            `report ${bad}: linuxName is not an account name`,
          );
        sent.push(...batch.map((r) => r.at));
      });
      assert.deepEqual(sent, [0, 1, 3, 4]);
      assert.equal(q.length, 0);
      assert.deepEqual(logged, ["the service refused reports; dropped"]);
    } finally {
      await rm(root, { recursive: true });
    }
  });
});
