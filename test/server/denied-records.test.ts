/**
 * Calls refused by authorization (403) are in the activity log, reads included (new-user trial,
 * server side, finding 1): who, the action checked, the scope it was checked at, the code and the
 * reason; `?result=denied` finds them. A flood of refusals is bounded: at most
 * REFUSALS_RECORDED_PER_MINUTE records per caller per minute, the last of which says so (the
 * clock is pinned: the window moves only when the test moves it).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { REFUSALS_RECORDED_PER_MINUTE } from "../../src/server/plugins/audit.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

interface Event {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly result: string;
  readonly correlationId: string;
  readonly details: Record<string, unknown>;
}

describe("refused calls in the activity log", () => {
  let s: StoreServer;
  let now = Date.UTC(2031, 4, 6, 7, 8, 9);
  const ids: Record<string, string> = {};

  const call = async (method: "GET" | "PUT" | "POST", url: string, who?: string, body?: unknown) =>
    s.app.inject({
      method,
      url,
      headers: { ...(who ? await s.as(ids[who] as string) : s.admin), "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const events = async (query: string): Promise<Event[]> => {
    const r = await call("GET", `/providers/Insights/eventtypes/management/values?top=1000&${query}`);
    assert.equal(r.statusCode, 200, r.body);
    return r.json().value as Event[];
  };

  before(async () => {
    s = await startStoreServer({ clock: () => now });
    for (const name of ["carol", "dave", "erin"]) {
      const r = await call("POST", "/directory/users", undefined, {
        userPrincipalName: `${name}@contoso.example`,
        displayName: name,
      });
      assert.equal(r.statusCode, 201, r.body);
      ids[name] = r.json().id;
    }
  });
  after(() => s?.close());

  it("a refused read: who, the action, the scope, the code and reason; found with result=denied", async () => {
    const r = await call("GET", "/directory/users", "carol");
    assert.equal(r.statusCode, 403, r.body);
    const [event, ...rest] = await events(`result=denied&correlationId=${r.headers["x-request-id"]}`);
    assert.equal(rest.length, 0);
    assert.equal(event?.actor, ids.carol);
    assert.equal(event?.action, "Directory/users/read");
    assert.equal(event?.target, "/");
    assert.equal(event?.result, "denied");
    assert.deepEqual(event?.details, {
      method: "GET",
      status: 403,
      code: "ERR_AUTHORIZATION_FAILED",
      reason: r.json().error.message,
    });
    // The refused read of the log itself is recorded too.
    const log = await call("GET", "/providers/Insights/eventtypes/management/values", "carol");
    assert.equal(log.statusCode, 403);
    const [own] = await events(`correlationId=${log.headers["x-request-id"]}`);
    assert.equal(own?.action, "Insights/eventtypes/values/read");
  });

  it("a refused write names the scope authorization checked as its target", async () => {
    const rg = `/subscriptions/${s.boot.subscriptionId}/resourceGroups/carols`;
    const r = await call("PUT", rg, "carol", { location: "local" });
    assert.equal(r.statusCode, 403, r.body);
    const [event] = await events(`correlationId=${r.headers["x-request-id"]}`);
    assert.equal(event?.result, "denied");
    assert.equal(event?.action, "Resources/subscriptions/resourceGroups/write");
    assert.equal(event?.target, rg);
    const successes = await events(`result=success&actor=${ids.carol}`);
    assert.equal(successes.length, 0, "the result filter keeps only its result");
  });

  it(`a flood: ${REFUSALS_RECORDED_PER_MINUTE} records per caller per minute, the last says so; the next minute records again`, async () => {
    const dave = ids.dave as string;
    for (let i = 0; i < REFUSALS_RECORDED_PER_MINUTE + 15; i++)
      assert.equal((await call("GET", "/directory/users", "dave")).statusCode, 403);
    let recorded = await events(`actor=${dave}&result=denied`);
    assert.equal(recorded.length, REFUSALS_RECORDED_PER_MINUTE);
    const marked = recorded.filter((e) => e.details.recordingLimited !== undefined);
    assert.equal(marked.length, 1);
    assert.equal(marked[0], recorded[0], "the newest record is the one that says the limit was reached");
    // Another caller is not held back by dave's flood.
    assert.equal((await call("GET", "/directory/users", "erin")).statusCode, 403);
    assert.equal((await events(`actor=${ids.erin}&result=denied`)).length, 1);
    // Still the same minute: nothing more of dave's; the next minute: recorded again.
    now += 59_999;
    await call("GET", "/directory/groups", "dave");
    assert.equal((await events(`actor=${dave}&result=denied`)).length, REFUSALS_RECORDED_PER_MINUTE);
    now += 1;
    await call("GET", "/directory/groups", "dave");
    recorded = await events(`actor=${dave}&result=denied`);
    assert.equal(recorded.length, REFUSALS_RECORDED_PER_MINUTE + 1);
    assert.equal(recorded[0]?.action, "Directory/groups/read");
  });

  it("result= takes success, failure or denied, and says so in words", async () => {
    const r = await call("GET", "/providers/Insights/eventtypes/management/values?result=maybe");
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, "ERR_VALIDATION");
    assert.equal(
      r.json().error.message,
      'result in the query string must be one of "success", "failure", "denied"',
    );
  });
});
