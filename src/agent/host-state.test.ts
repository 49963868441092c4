import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatPublicKey, generateKeyPair } from "../ssh/index.ts";
import { applyPatch, parseHostEvent, validateHostState, validateHostStatePatch } from "./host-state.ts";

const ca = generateKeyPair("ssh-ed25519");
const state = {
  protocol: 1,
  version: 5,
  tenantId: "t1",
  machineId:
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Compute/virtualMachines/vm1",
  loginEnabled: true,
  userCaKeys: [{ id: "ca1", status: "active", publicKey: formatPublicKey(ca.publicKey) }],
  krlSha256: "a".repeat(64),
  logins: [
    { objectId: "o1", kind: "user", linuxName: "alice@x.com", uid: 100001, level: "admin", displayName: "A" },
  ],
  hostCertificates: [],
  grace: { adminSeconds: 3600, allSeconds: 86400 },
};

describe("host state from the service", () => {
  it("accepts a well-formed state and keeps the login entries for the per-login checks", () => {
    const s = validateHostState(state);
    assert.equal(s.version, 5);
    assert.equal(s.logins[0]?.linuxName, "alice@x.com");
  });

  const broken: [string, Record<string, unknown>][] = [
    ["protocol", { protocol: 2 }],
    ["version", { version: -1 }],
    ["version not integer", { version: 1.5 }],
    ["tenant id", { tenantId: "a b" }],
    ["machine id", { machineId: "../../etc" }],
    ["loginEnabled", { loginEnabled: "yes" }],
    ["krl hash", { krlSha256: "A".repeat(64) }],
    [
      "CA key is a certificate or garbage",
      { userCaKeys: [{ id: "c", status: "active", publicKey: "ssh-ed25519 AAAA" }] },
    ],
    ["CA status", { userCaKeys: [{ id: "c", status: "retired", publicKey: formatPublicKey(ca.publicKey) }] }],
    ["grace too short", { grace: { adminSeconds: 1, allSeconds: 86400 } }],
    ["grace order", { grace: { adminSeconds: 7200, allSeconds: 3600 } }],
    ["login level", { logins: [{ ...state.logins[0], level: "root" }] }],
    ["login uid type", { logins: [{ ...state.logins[0], uid: "100001" }] }],
    ["logins not an array", { logins: {} }],
    ["too many CA keys", { userCaKeys: Array.from({ length: 17 }, () => state.userCaKeys[0]) }],
  ];
  for (const [what, change] of broken) {
    it(`refuses the whole state when ${what} is wrong`, () => {
      assert.throws(() => validateHostState({ ...state, ...change }), { code: "ERR_AGENT_STATE_INVALID" });
    });
  }

  it("applies a patch: upserts by object id, removals, and ignores a patch it already has", () => {
    const s = validateHostState(state);
    const patch = validateHostStatePatch({
      version: 6,
      upsertLogins: [
        {
          objectId: "o2",
          kind: "servicePrincipal",
          linuxName: "sp-abc",
          uid: 100002,
          level: "user",
          displayName: "",
        },
      ],
      removeLogins: ["o1"],
    });
    const next = applyPatch(s, patch);
    assert.deepEqual(
      next.logins.map((l) => l.objectId),
      ["o2"],
    );
    assert.equal(next.version, 6);
    assert.equal(applyPatch(next, patch), next);
    assert.equal(applyPatch(next, { version: 3, loginEnabled: false }).loginEnabled, true);
  });

  it("parses stream events and refuses unknown ones", () => {
    assert.equal(parseHostEvent("heartbeat", '{"version":9}').type, "heartbeat");
    assert.deepEqual(parseHostEvent("terminateSessions", '{"linuxNames":["a@b.c"]}'), {
      type: "terminateSessions",
      linuxNames: ["a@b.c"],
    });
    assert.equal(parseHostEvent("snapshot", JSON.stringify({ state })).type, "snapshot");
    assert.throws(() => parseHostEvent("exec", "{}"), { code: "ERR_AGENT_STATE_INVALID" });
    assert.throws(() => parseHostEvent("patch", "not json"), { code: "ERR_AGENT_STATE_INVALID" });
  });
});
