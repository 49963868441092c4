/**
 * The host channel on an injected clock (its tick called by the test, no timers): the per-feed
 * patch history is trimmed to the last 2 minutes (a reconnect from before that gets a snapshot, one
 * from after it a replay), and host certificates (30 days) are signed again when a week old and
 * reach the agent: the agent's own event parsing and patching (agent/host-state.ts) holds a host
 * certificate valid at every day of 60, across two lifetimes. Real store (SQLite), real RBAC
 * engine and change log; the machine's changes go through the services' transactions.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { applyPatch, parseHostEvent } from "../../src/agent/host-state.ts";
import { signHostCertificates } from "../../src/ca/index.ts";
import { createResourceGroup, createVirtualMachine, putExtension } from "../../src/resources/index.ts";
import { createHostChannel, type HostChannel, type StreamSink } from "../../src/server/host-channel.ts";
import { assignMachineIdentity } from "../../src/server/routes/resources/lib/machine-identity.ts";
import type { HostEvent, HostState } from "../../src/shared/host-protocol.ts";
import {
  formatPublicKey,
  generateKeyPair,
  keyObjectSigner,
  parseCertificateText,
} from "../../src/ssh/index.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

const DAY = 86_400_000;

/** A stream as the agent sees it: each event through the wire form and the agent's parser. */
function agentSink() {
  const events: HostEvent[] = [];
  let state: HostState | undefined;
  const sink: StreamSink = {
    send(event) {
      const { type, ...rest } = event;
      const parsed = parseHostEvent(type, JSON.stringify(rest));
      events.push(parsed);
      if (parsed.type === "snapshot") state = parsed.state;
      else if (parsed.type === "patch" && state) state = applyPatch(state, parsed.patch);
    },
    end() {},
  };
  return {
    sink,
    events,
    get state() {
      return state;
    },
  };
}

async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

describe("host channel on an injected clock: history trim and host-certificate renewal", () => {
  let s: StoreServer;
  let channel: HostChannel;
  let tick: () => Promise<void> = async () => {};
  let now = Date.UTC(2026, 0, 1);
  let vm: string;
  let signed = 0;
  const hostCa = generateKeyPair("ssh-ed25519");
  const hostKey = generateKeyPair("ssh-ed25519");

  /** The login extension on (Succeeded) or off (Deleting): a change the machine's feed patches. */
  const setLogin = (on: boolean) =>
    s.services.transaction(s.tenantId, (tx) =>
      putExtension(tx.resources, vm, {
        name: "SSHLoginForLinux",
        publisher: "hostpass",
        type: "SSHLoginForLinux",
        version: "1.0",
        provisioningState: on ? "Succeeded" : "Deleting",
      }),
    );

  before(async () => {
    s = await startStoreServer();
    const subscriptionId = s.boot.subscriptionId;
    vm = await s.store.transaction(async (tx) => {
      await createResourceGroup(tx.resources, {
        tenantId: s.tenantId,
        subscriptionId,
        name: "clock-rg",
        location: "local",
      });
      const created = await createVirtualMachine(tx.resources, {
        tenantId: s.tenantId,
        subscriptionId,
        resourceGroup: "clock-rg",
        name: "vm-clock",
        image: "debian-12",
        adminUsername: "localadmin",
      });
      return (await assignMachineIdentity(tx, s.tenantId, created.id)).id;
    });
    await setLogin(true);
    channel = createHostChannel({
      rbac: s.services.rbac,
      directory: s.store.directory,
      resources: s.store.resources,
      caKeys: () => s.store.caKeys.list(),
      krl: async () => ({ bytes: new Uint8Array(), sha256: "0".repeat(64) }),
      hostCertificates: async () => {
        signed++;
        return signHostCertificates({
          signer: keyObjectSigner(hostCa.privateKey),
          hostKeys: [formatPublicKey(hostKey.publicKey)],
          principals: ["vm-clock"],
          keyId: "host:vm-clock",
          now: new Date(now),
        });
      },
      log: () => {},
      clock: () => now,
      everyTick: (t) => {
        tick = t;
        return () => {};
      },
    });
  });
  after(async () => {
    channel?.close();
    await s?.close();
  });

  it("keeps patches for 2 minutes: older ones are dropped and a reconnect from before them gets a snapshot", async () => {
    const a = agentSink();
    const close = await channel.open(s.tenantId, vm, undefined, a.sink);
    try {
      const v0 = (a.events[0] as Extract<HostEvent, { type: "snapshot" }>).state.version;
      const patchAfter = (from: number) =>
        until("a patch", () => a.events.slice(from).find((e) => e.type === "patch"));
      let seen = a.events.length;
      await setLogin(false); // p1 at t
      const p1 = await patchAfter(seen);
      now += 60_000;
      seen = a.events.length;
      await setLogin(true); // p2 at t + 1 min
      const p2 = await patchAfter(seen);
      const replay = async (after: number) => {
        const r = agentSink();
        (await channel.open(s.tenantId, vm, after, r.sink))();
        return r.events.map((e) => (e.type === "patch" ? e.patch.version : e.type));
      };
      assert.ok(p1.type === "patch" && p2.type === "patch");
      assert.deepEqual(await replay(v0), [p1.patch.version, p2.patch.version], "within 2 min: replayed");
      now += 90_000; // t + 2.5 min: p1 is older than 2 min, p2 is not
      seen = a.events.length;
      await setLogin(false); // p3: publishing it trims p1
      const p3 = await patchAfter(seen);
      assert.ok(p3.type === "patch");
      assert.deepEqual(
        await replay(v0),
        ["snapshot"],
        "p1 trimmed: a reconnect from before it gets a snapshot",
      );
      assert.deepEqual(await replay(p1.patch.version), [p2.patch.version, p3.patch.version]);
      assert.equal(a.state?.loginEnabled, false, "the agent followed every patch");
    } finally {
      close();
    }
  });

  it("signs host certificates again when a week old: the agent holds a valid one on every day of 60", async () => {
    await setLogin(true);
    const a = agentSink();
    const close = await channel.open(s.tenantId, vm, undefined, a.sink);
    try {
      const validUntil = () => {
        const [text] = a.state?.hostCertificates ?? [];
        return text === undefined ? 0 : Number(parseCertificateText(text).validBefore) * 1000;
      };
      const start = now;
      const first = validUntil();
      assert.ok(first > now + 29 * DAY, "a 30-day certificate at the start");
      const renewedOn: number[] = [];
      let held = first;
      for (let day = 1; day <= 60; day++) {
        now += DAY;
        await tick();
        const until = validUntil();
        if (until !== held) renewedOn.push(day);
        held = until;
        assert.ok(
          until > now,
          `day ${day}: the agent's host certificate expired ${(now - until) / DAY} days ago`,
        );
        assert.ok(until > now + 20 * DAY, `day ${day}: renewed at least 20 days before it expires`);
      }
      // Signed again once more than a week old, at the next check: every 7-8 days on daily steps.
      const gaps = renewedOn.map((d, i) => d - (renewedOn[i - 1] ?? 0));
      assert.ok(renewedOn.length >= 7 && gaps.every((g) => g <= 8), `renewed on days ${renewedOn}`);
      assert.equal(now - start, 60 * DAY);
      assert.ok(signed >= 8, `signed ${signed} times`);
    } finally {
      close();
    }
  });
});
