/**
 * CA operations reach connected hosts: a real `hostpass server`, an agent joined with a real join
 * code (the agent's own `joinService` and `serviceClient`), and the administration API. Each
 * rotation step (`caKeys.changed` in the change log) arrives on the agent's stream as a
 * `userCaKeys` patch, old and new keys trusted during the overlap; a revocation through
 * `POST /ssh/revocations` (`revocation.added`) changes the KRL hash on the stream, and the KRL the
 * agent fetches lists the serial.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServiceClient } from "../../src/agent/service-client.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import type { HostStatePatch, TrustedCaKey } from "../../src/shared/host-protocol.ts";
import { parseKrl } from "../../src/ssh/index.ts";
import type { ScratchHost } from "../agent/helpers/scratch-host.ts";
import { type ApiCall, servicePrincipalApi } from "../helpers/api-client.ts";
import { joinedAgent } from "../helpers/login-fixture.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";

describe("CA rotation and revocation reach a connected agent", () => {
  let dir: string;
  let running: RunningServer;
  let api: ApiCall;
  let host: ScratchHost;
  let client: ServiceClient;
  const states: { userCaKeys?: readonly TrustedCaKey[]; krlSha256?: string }[] = [];
  const controller = new AbortController();
  let streaming: Promise<void> = Promise.resolve();

  /** The newest value the stream carried for a field, once `accept` takes it; with the wait in ms. */
  const next = async <K extends keyof HostStatePatch>(
    field: K,
    accept: (value: NonNullable<HostStatePatch[K]>) => boolean,
  ): Promise<{ value: NonNullable<HostStatePatch[K]>; ms: number }> => {
    const started = performance.now();
    for (;;) {
      const seen = states.findLast((s) => (s as HostStatePatch)[field] !== undefined) as
        | HostStatePatch
        | undefined;
      const value = seen?.[field];
      if (value !== undefined && value !== null && accept(value))
        return { value: value as NonNullable<HostStatePatch[K]>, ms: performance.now() - started };
      if (performance.now() - started > 5000)
        throw new Error(`no ${field} accepted: ${JSON.stringify(states)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const trusted = (keys: readonly TrustedCaKey[]) => keys.map((k) => `${k.status}:${k.id}`).sort();
  const rotate = async (body: object) => {
    const r = await api("POST", "/ssh/ca/rotate", body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { keys: { id: string; state: string }[] };
  };

  before(async () => {
    dir = await makeTempDir("hostpass-ca-channel-");
    running = await startServer({ dataDir: dir, listen: "127.0.0.1:0", logLevel: "silent" });
    api = await servicePrincipalApi(running, dir, "owner", { atRoot: true });
    const caFile = join(dir, "tls", "server-cert.pem");
    const rg = `/subscriptions/${running.bootstrap.subscriptionId}/resourceGroups/hosts`;
    assert.equal((await api("PUT", rg, { location: "local" })).status, 201);
    const vm = `${rg}/providers/Compute/virtualMachines/farHost`;
    const made = await api("PUT", vm, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const code = (await api("POST", `${vm}/joinCode`)).body.code as string;
    ({ host, client } = await joinedAgent(running, code, caFile));
    streaming = (async () => {
      try {
        for await (const e of client.stream(undefined, controller.signal)) {
          const data = JSON.parse(e.data);
          if (e.type === "snapshot") states.push(data.state);
          if (e.type === "patch") states.push(data.patch);
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
    })();
  });
  after(async () => {
    controller.abort();
    await streaming.catch(() => undefined);
    await running?.close();
    if (dir) await removeDir(dir);
    if (host) await removeDir(host.root);
  });

  it("each rotation step reaches the host: both keys trusted in the overlap, the old one gone after retire", async () => {
    const first = await next("userCaKeys", (keys) => keys.length === 1);
    const oldId = first.value[0]?.id as string;
    assert.deepEqual(trusted(first.value), [`active:${oldId}`]);

    const announced = await rotate({ step: "announce" });
    const newId = announced.keys.find((k) => k.state === "next")?.id as string;
    const overlap = await next("userCaKeys", (keys) => keys.length === 2);
    assert.deepEqual(trusted(overlap.value), [`active:${oldId}`, `next:${newId}`].sort());
    assert.ok(overlap.ms < 5000, `announce reached the host in ${overlap.ms} ms`);

    await rotate({ step: "activate" });
    const swapped = await next("userCaKeys", (keys) =>
      keys.some((k) => k.id === newId && k.status === "active"),
    );
    assert.deepEqual(trusted(swapped.value), [`active:${newId}`, `previous:${oldId}`].sort());

    await rotate({ step: "retire", force: true });
    const retired = await next("userCaKeys", (keys) => keys.length === 1);
    assert.deepEqual(trusted(retired.value), [`active:${newId}`]);
  });

  it("a revocation through the API changes the KRL on the stream within 5 s, and the KRL lists it", async () => {
    const before = await next("krlSha256", () => true);
    const now = Date.now();
    const serial = 987_654_321n;
    await running.store.certificates.record({
      serial,
      tenantId: running.bootstrap.tenant.id,
      objectId: running.bootstrap.adminId,
      principal: "admin",
      keyId: `${running.bootstrap.adminId}@${running.bootstrap.tenant.id}`,
      keyFingerprint: "SHA256:test",
      caKeyId: (await running.store.caKeys.list()).find((k) => k.purpose === "user" && k.state === "active")
        ?.id as string,
      validAfter: new Date(now - 60_000),
      validBefore: new Date(now + 3_600_000),
      tokenId: randomUUID(),
      policies: [],
      issuedAt: new Date(now),
    });
    const r = await api("POST", "/ssh/revocations", { serial: serial.toString(), reason: "test" });
    assert.deepEqual(r.body, { revoked: [serial.toString()], alreadyRevoked: [] });
    const changed = await next("krlSha256", (sha) => sha !== before.value);
    assert.ok(changed.ms < 5000, `the new KRL was announced in ${changed.ms} ms`);
    const krl = parseKrl(await client.fetchKrl());
    assert.ok(krl.certificates.some((s) => s.serials.includes(serial)));
  });
});
