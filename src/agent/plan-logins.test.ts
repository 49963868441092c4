import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HostLogin, HostState } from "../shared/host-protocol.ts";
import { planLogins, safeGecos } from "./plan-logins.ts";

const l = (linuxName: string, uid: number, level: "user" | "admin" = "user"): HostLogin => ({
  objectId: `o-${uid}-${linuxName.length}`,
  kind: "user",
  linuxName,
  uid,
  level,
  displayName: "Name: with, separators\n",
});
const state = (logins: HostLogin[], loginEnabled = true) =>
  ({ loginEnabled, logins }) as unknown as HostState;
const local = { names: new Set(["root", "localadmin"]), uids: new Set([0, 1000]) };

describe("which logins a host writes", () => {
  it("keeps valid logins, sorted by uid, with a safe GECOS", () => {
    const plan = planLogins(state([l("b@x.com", 100002), l("a@x.com", 100001, "admin")]), local, "connected");
    assert.deepEqual(
      plan.logins.map((p) => [p.linuxName, p.level]),
      [
        ["a@x.com", "admin"],
        ["b@x.com", "user"],
      ],
    );
    assert.equal(plan.logins[0]?.gecos, "Name with separators");
  });

  it("refuses bad names, out-of-range uids, local accounts and duplicates", () => {
    const plan = planLogins(
      state([
        l("root", 100001),
        l("a:b", 100002),
        l("ok@x.com", 99_999),
        l("big@x.com", 2 ** 31),
        l("localadmin", 100003),
        l("uid@x.com", 1000),
        l("same@x.com", 100005),
        l("same@x.com", 100006),
        l("one@x.com", 100007),
        l("two@x.com", 100007),
        l("fine@x.com", 100008),
      ]),
      local,
      "connected",
    );
    assert.deepEqual(
      plan.logins.map((p) => p.linuxName),
      ["fine@x.com"],
    );
    assert.equal(plan.refused.length, 10);
  });

  it("applies the grace rule: admins become users, then everyone goes", () => {
    const logins = [l("a@x.com", 100001, "admin")];
    assert.equal(planLogins(state(logins), local, "adminDropped").logins[0]?.level, "user");
    assert.deepEqual(planLogins(state(logins), local, "allDropped").logins, []);
    assert.deepEqual(planLogins(state(logins, false), local, "connected").logins, []);
  });

  it("GECOS keeps printable ASCII only", () => {
    assert.equal(safeGecos("Ålice\u202e Smith, Ops:x\\y=z"), "lice Smith Opsxyz");
  });
});
