/** The sign-in log on both dialects: append, filters, pages, hostile text. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { SignInLogEntry, SignInResult, Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "./dialects.ts";

const t0 = Date.parse("2026-06-01T00:00:00Z");
const RESULTS: SignInResult[] = ["success", "failure", "interrupted", "locked", "denied"];

function entry(i: number, extra: Partial<SignInLogEntry> = {}): SignInLogEntry {
  return {
    id: randomUUID(),
    // Pairs share a time, so pages must break ties by id.
    time: new Date(t0 + Math.floor(i / 2) * 1000),
    tenantId: "t1",
    principalId: i % 3 === 0 ? "alice-oid" : "bob-oid",
    principalName: i % 3 === 0 ? "alice@contoso.example" : "bob@contoso.example",
    principalKind: "user",
    appId: "hostpass-cli",
    resource: "ce6ff14a-0000-4000-8000-000000000000",
    ip: i % 2 === 0 ? "203.0.113.7" : "2001:db8::1",
    userAgent: "hostpass-cli/1.0",
    result: RESULTS[i % RESULTS.length] as SignInResult,
    ...(i % 5 === 1 ? { failureReason: "wrong password" } : {}),
    ...(i % 5 === 0 ? { mfaMethod: "totp" } : {}),
    policies: [
      { policyId: "p1", name: "Require MFA", result: i % 2 === 0 ? "success" : "failure", unmet: [] },
    ],
    correlationId: `corr-${i}`,
    ...extra,
  };
}

for (const dialect of selectedDialects()) {
  describe(`sign-in log on ${dialect}`, () => {
    let database: TestDatabase;
    let store: Store;
    const all: SignInLogEntry[] = [];
    before(async () => {
      database = createTestDatabase(dialect);
      store = await database.open();
      for (let i = 0; i < 40; i++) {
        const e = entry(i);
        all.push(e);
        await store.signInLog.append(e);
      }
      await store.signInLog.append(entry(99, { tenantId: "t2" }));
    });
    after(async () => {
      await store?.close();
      await database?.drop();
    });

    const newestFirst = (entries: SignInLogEntry[]) =>
      [...entries].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));

    it("appends several entries in one call", async () => {
      const group = [0, 1, 2].map((i) => entry(i, { tenantId: "t3" }));
      await store.signInLog.appendMany(group);
      const page = await store.signInLog.query({ tenantId: "t3" }, { limit: 10 });
      assert.deepEqual(page.items.map((e) => e.id).sort(), group.map((e) => e.id).sort());
      assert.deepEqual(
        page.items.find((e) => e.id === group[0]?.id),
        group[0],
      );
    });

    it("pages through a tenant's attempts newest first, ties broken by id, nothing lost", async () => {
      const seen: SignInLogEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.signInLog.query({ tenantId: "t1" }, { limit: 7, cursor });
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, newestFirst(all));
    });

    it("filters by time range, user, result, app, address and correlation id", async () => {
      const from = new Date(t0 + 5000);
      const to = new Date(t0 + 10_000);
      const q = async (f: Record<string, unknown>) =>
        (await store.signInLog.query({ tenantId: "t1", ...f }, { limit: 1000 })).items;
      assert.deepEqual(await q({ from, to }), newestFirst(all.filter((e) => e.time >= from && e.time < to)));
      assert.deepEqual(
        await q({ principalId: "alice-oid" }),
        newestFirst(all.filter((e) => e.principalId === "alice-oid")),
      );
      assert.deepEqual(await q({ result: "locked" }), newestFirst(all.filter((e) => e.result === "locked")));
      assert.deepEqual(
        await q({ principalId: "bob-oid", result: "failure", ip: "2001:db8::1" }),
        newestFirst(
          all.filter((e) => e.principalId === "bob-oid" && e.result === "failure" && e.ip === "2001:db8::1"),
        ),
      );
      assert.deepEqual(await q({ correlationId: "corr-3" }), [all[3]]);
      assert.equal((await q({ appId: "other" })).length, 0);
      assert.equal((await store.signInLog.query({ tenantId: "t2" }, { limit: 10 })).items.length, 1);
      await assert.rejects(store.signInLog.query({ tenantId: "t1" }, { limit: 0 }), {
        code: "ERR_INVALID_PAGE",
      });
      await assert.rejects(store.signInLog.query({ tenantId: "t1" }, { limit: 5, cursor: "%%%" }), {
        code: "ERR_INVALID_PAGE",
      });
    });

    it("stores hostile text verbatim (NUL as U+FFFD) and minimal entries", async () => {
      const hostile = `'; DROP TABLE sign_in_events;-- <script>alert(1)</script> 🔑 \u202e\n${"x".repeat(10_000)}`;
      const e = entry(0, {
        time: new Date(t0 + 3_600_000),
        tenantId: "t3",
        principalName: hostile,
        userAgent: hostile,
        failureReason: "bad\u0000byte",
        policies: [{ note: "nul \u0000 in json", hostile }],
      });
      await store.signInLog.append(e);
      const minimal: SignInLogEntry = {
        id: randomUUID(),
        time: new Date(t0 + 3_600_001),
        tenantId: "t3",
        ip: "198.51.100.1",
        userAgent: "",
        result: "failure",
        policies: [],
        correlationId: "c",
      };
      await store.signInLog.append(minimal);
      const [m, got] = (await store.signInLog.query({ tenantId: "t3" }, { limit: 10 })).items;
      assert.deepEqual(m, minimal);
      assert.deepEqual(got, { ...e, failureReason: "bad\uFFFDbyte" });
      assert.equal(
        (await store.signInLog.query({ tenantId: "t3", ip: "x\u0000" }, { limit: 10 })).items.length,
        0,
      );
      await assert.rejects(
        store.signInLog.append({ ...minimal, id: randomUUID(), result: "maybe" as SignInResult }),
        TypeError,
      );
    });
  });
}
