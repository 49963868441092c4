/**
 * The service side of the host channel against the agent's own client code: a real
 * `hostpass server` (HTTPS, SQLite), the agent's `joinService` (its key in a scratch root) and
 * `serviceClient` (private_key_jwt at the real token endpoint, the event stream, reports, KRL).
 * Who may log in is followed from the change log: a role through a nested group, a removed role,
 * a disabled user; join codes reused, expired, for a machine without identity; another machine's
 * agent; hostile report bodies.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentConfig, CONFIG_FILE, KEY_FILE } from "../../src/agent/agent-config.ts";
import { openAgentStore } from "../../src/agent/agent-store.ts";
import { joinService } from "../../src/agent/join.ts";
import { type ServiceClient, type StreamEvent, serviceClient } from "../../src/agent/service-client.ts";
import {
  addGroupMember,
  createGroup,
  createJoinCode,
  createUser,
  type User,
} from "../../src/directory/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { systemClock } from "../../src/shared/clock.ts";
import type { HostEvent } from "../../src/shared/host-protocol.ts";
import { parseCertificateText, parseKrl, parsePublicKey, publicKeysEqual } from "../../src/ssh/index.ts";
import { hostKeyPub, makeScratchHost, type ScratchHost } from "../agent/helpers/scratch-host.ts";
import { type ApiCall, servicePrincipalApi } from "../helpers/api-client.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import { createTestDatabase, selectedDialects } from "../store/dialects.ts";

/** Reads a stream's events into a list the test can wait on. */
function follow(client: ServiceClient, afterVersion?: number) {
  const events: HostEvent[] = [];
  const controller = new AbortController();
  let failure: unknown;
  const done = (async () => {
    try {
      for await (const e of client.stream(afterVersion, controller.signal)) events.push(parse(e));
    } catch (error) {
      if (!controller.signal.aborted) failure = error;
    }
  })();
  return {
    events,
    get failure() {
      return failure;
    },
    async waitFor<T>(
      pick: (e: HostEvent) => T | undefined,
      timeoutMs = 5000,
    ): Promise<{ value: T; ms: number }> {
      const started = performance.now();
      for (;;) {
        for (const e of events) {
          const v = pick(e);
          if (v !== undefined) return { value: v, ms: performance.now() - started };
        }
        if (performance.now() - started > timeoutMs)
          throw new Error(`no such event in ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      controller.abort();
      await done;
    },
    done,
  };
}

function parse(e: StreamEvent): HostEvent {
  return { type: e.type, ...JSON.parse(e.data) } as HostEvent;
}

for (const dialect of selectedDialects())
  describe(`host channel: join, stream, reports and KRL on a real server (${dialect})`, () => {
    const database = dialect === "postgres" ? createTestDatabase("postgres") : undefined;
    let dir: string;
    let running: RunningServer;
    let api: ApiCall;
    let caPem: string;
    let hostA: ScratchHost;
    let hostB: ScratchHost;
    let tenantId: string;
    let alice: User;
    let bob: User;
    let carol: User;
    let rg: string;
    let vmA: string;
    let vmB: string;
    let clientA: ServiceClient;
    let configA: AgentConfig;

    const agentClient = async (host: ScratchHost) => {
      const store = await openAgentStore(host.paths);
      const config = (await store.read<AgentConfig>(CONFIG_FILE)) as AgentConfig;
      const privateKeyPem = await readFile(join(store.dir, KEY_FILE), "utf8");
      return {
        config,
        client: serviceClient({
          config,
          privateKeyPem,
          caPem,
          caFile: join(dir, "tls", "server-cert.pem"),
          clock: systemClock,
        }),
      };
    };
    const joinCode = async (vm: string) => {
      const r = await api("POST", `${vm}/joinCode`);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { code: string; expiresAt: string; joinCommand: string };
    };
    const rawJoin = async (body: unknown) =>
      new Promise<{ status: number; body: { error?: { code: string } } }>((resolve, reject) => {
        const req = request(
          new URL("/agents/v1/join", running.url),
          { method: "POST", ca: caPem, headers: { "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify(body));
      });
    const assign = async (role: string, assignee: string, scope: string) => {
      const id = randomUUID();
      const r = await api("PUT", `${scope}/providers/Authorization/roleAssignments/${id}`, {
        role,
        assignee,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return `${scope}/providers/Authorization/roleAssignments/${id}`;
    };

    before(async () => {
      dir = await makeTempDir("hostpass-host-channel-");
      running = await startServer({
        dataDir: dir,
        listen: "127.0.0.1:0",
        logLevel: "silent",
        ...(database ? { database: database.url } : {}),
      });
      caPem = await readFile(join(dir, "tls", "server-cert.pem"), "utf8");
      api = await servicePrincipalApi(running, dir, "owner", { atRoot: true });
      tenantId = running.bootstrap.tenant.id;
      // the directory and the sign-in log are administered at the tenant root
      const directory = running.store.directory;
      alice = await createUser(directory, { tenantId, upn: "alice@contoso.example", displayName: "Alice" });
      bob = await createUser(directory, { tenantId, upn: "bob@contoso.example", displayName: "Bob" });
      carol = await createUser(directory, { tenantId, upn: "carol@contoso.example", displayName: "Carol" });
      // bob holds User Login through a group inside a group
      const outer = await createGroup(directory, { tenantId, displayName: "LinuxUsers" });
      const inner = await createGroup(directory, { tenantId, displayName: "Developers" });
      await addGroupMember(directory, { tenantId, groupId: outer.id, memberId: inner.id });
      await addGroupMember(directory, { tenantId, groupId: inner.id, memberId: bob.id });
      rg = `/subscriptions/${running.bootstrap.subscriptionId}/resourceGroups/LinuxVMs`;
      assert.equal((await api("PUT", rg, { location: "local" })).status, 201);
      vmA = `${rg}/providers/Compute/virtualMachines/vmA`;
      vmB = `${rg}/providers/Compute/virtualMachines/vmB`;
      const created = await api("PUT", vmA, {
        image: "debian-12",
        adminUsername: "localadmin",
        assignIdentity: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(
        String(created.body.joinCommand),
        /^hostpass-agent join --server https:\/\/127\.0\.0\.1:\d+ --code [\w-]{43} --tls-fingerprint [0-9A-F:]+$/,
      );
      assert.equal((await api("PUT", vmB, { image: "debian-12", adminUsername: "localadmin" })).status, 201);
      const ext = { publisher: "hostpass", type: "SSHLoginForLinux" };
      assert.equal((await api("PUT", `${vmA}/extensions/SSHLoginForLinux`, ext)).status, 200);
      await assign("Virtual Machine Administrator Login", alice.id, vmA);
      await assign("Virtual Machine User Login", outer.id, rg);
      await assign("Owner", carol.id, rg); // Owner does not grant login
      hostA = await makeScratchHost();
      hostB = await makeScratchHost();
    });
    after(async () => {
      await running?.close();
      await removeDir(dir);
      await database?.drop();
      if (hostA) await removeDir(hostA.root);
      if (hostB) await removeDir(hostB.root);
    });

    it("refuses a join for a machine without managed identity (exit 22), and the same code works once it has one", async () => {
      const { code } = await joinCode(vmB);
      await assert.rejects(
        joinService(
          hostB.paths,
          { server: running.url, code, caFile: join(dir, "tls", "server-cert.pem") },
          systemClock,
        ),
        { code: "ERR_EXTENSION_NO_MANAGED_IDENTITY" },
      );
      assert.equal((await api("POST", `${vmB}/identity`)).status, 200);
      const config = await joinService(
        hostB.paths,
        { server: running.url, code, caFile: join(dir, "tls", "server-cert.pem") },
        systemClock,
      );
      assert.equal(config.machineId, vmB);
    });

    it("joins with a one-time code; reused, expired and unknown codes are refused with stable codes", async () => {
      const { code, expiresAt } = await joinCode(vmA);
      const minutes = (Date.parse(expiresAt) - Date.now()) / 60_000;
      assert.ok(minutes > 9 && minutes <= 10, `${minutes}`);
      configA = await joinService(
        hostA.paths,
        { server: running.url, code, caFile: join(dir, "tls", "server-cert.pem") },
        systemClock,
      );
      assert.equal(configA.machineId, vmA);
      assert.equal(configA.tenantId, tenantId);
      const key = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
      const reused = await rawJoin({ code, publicKey: key });
      assert.equal(reused.status, 403);
      assert.equal(reused.body.error?.code, "ERR_JOIN_CODE_USED");
      const old = await createJoinCode(running.store.agents, {
        tenantId,
        machineId: vmA,
        now: new Date(Date.now() - 11 * 60_000),
      });
      const expired = await rawJoin({ code: old.code, publicKey: key });
      assert.equal(expired.body.error?.code, "ERR_JOIN_CODE_EXPIRED");
      const unknown = await rawJoin({ code: "A".repeat(43), publicKey: key });
      assert.equal(unknown.body.error?.code, "ERR_JOIN_CODE_INVALID");
      const hostile = await rawJoin({ code: "x", publicKey: key, extra: 1 });
      assert.equal(hostile.status, 400);
      const privateKey = await rawJoin({
        code: (await joinCode(vmA)).code,
        publicKey: { ...key, d: "AAAA" },
      });
      assert.equal(privateKey.status, 400);
      ({ client: clientA } = await agentClient(hostA));
    });

    it("streams a snapshot of who may log in: admin directly, user through a nested group, never Owner only", async () => {
      const stream = follow(clientA);
      const { value: state } = await stream.waitFor((e) => (e.type === "snapshot" ? e.state : undefined));
      // vm show: the agent is ready while its stream is open
      const status = async () => (await api("GET", vmA)).body.agentStatus;
      for (let i = 0; i < 100 && (await status()) !== "ready"; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(await status(), "ready");
      await stream.stop();
      for (let i = 0; i < 100 && (await status()) !== "notReady"; i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(await status(), "notReady");
      assert.equal(state.machineId, vmA);
      assert.equal(state.loginEnabled, true);
      const byName = Object.fromEntries(state.logins.map((l) => [l.linuxName, l]));
      assert.deepEqual(Object.keys(byName).sort(), [alice.linuxName, bob.linuxName].sort());
      assert.equal(byName[alice.linuxName]?.level, "admin");
      assert.equal(byName[alice.linuxName]?.uid, alice.uid);
      assert.equal(byName[bob.linuxName]?.level, "user");
      assert.equal(state.userCaKeys.filter((k) => k.status === "active").length, 1);
      // the host key registered at join, certified by the host CA for the machine's name
      assert.equal(state.hostCertificates.length, 1);
      const hostCert = parseCertificateText(state.hostCertificates[0] as string);
      assert.equal(hostCert.kind, "host");
      assert.deepEqual(hostCert.principals, ["vmA"]);
      assert.ok(publicKeysEqual(hostCert.key, parsePublicKey(await hostKeyPub(hostA))));
      const krl = await clientA.fetchKrl();
      assert.equal(Buffer.from(await crypto.subtle.digest("SHA-256", krl)).toString("hex"), state.krlSha256);
      parseKrl(krl);
    });

    it("a removed role and a disabled user reach the connected agent as patches in well under 5 s", async () => {
      const stream = follow(clientA);
      const { value: state } = await stream.waitFor((e) => (e.type === "snapshot" ? e.state : undefined));
      const assignment = (await api("GET", `${vmA}/providers/Authorization/roleAssignments`)).body as {
        value: { id: string; properties?: { principalId?: string }; principalId?: string }[];
      };
      const mine = assignment.value.find((a) => (a.properties?.principalId ?? a.principalId) === alice.id);
      assert.ok(mine, JSON.stringify(assignment));
      let started = performance.now();
      assert.equal((await api("DELETE", mine.id)).status, 200);
      const removed = await stream.waitFor((e) =>
        e.type === "patch" && e.patch.removeLogins?.includes(alice.id) ? e.patch : undefined,
      );
      const roleMs = performance.now() - started;
      assert.ok(removed.value.version > state.version);
      started = performance.now();
      assert.equal((await api("PATCH", `/directory/users/${bob.id}`, { accountEnabled: false })).status, 200);
      await stream.waitFor((e) =>
        e.type === "patch" && e.patch.removeLogins?.includes(bob.id) ? true : undefined,
      );
      const disableMs = performance.now() - started;
      console.log(
        `# role removed -> patch ${roleMs.toFixed(0)} ms; user disabled -> patch ${disableMs.toFixed(0)} ms`,
      );
      assert.ok(roleMs < 5000 && disableMs < 5000);
      // a demotion: alice gets User Login back at the group level (upsert with level user)
      await addGroupMember(running.store.directory, {
        tenantId,
        groupId: (await running.store.directory.listTransitiveGroups(tenantId, bob.id))[0] as string,
        memberId: alice.id,
      });
      const upsert = await stream.waitFor((e) =>
        e.type === "patch" ? e.patch.upsertLogins?.find((l) => l.objectId === alice.id) : undefined,
      );
      assert.equal(upsert.value.level, "user");
      const last = stream.events.filter((e) => e.type === "patch").at(-1);
      await stream.stop();
      // resuming after the last version replays nothing and sends no snapshot
      const resumed = follow(clientA, last?.type === "patch" ? last.patch.version : undefined);
      await new Promise((r) => setTimeout(r, 300));
      await resumed.stop();
      assert.deepEqual(
        resumed.events.filter((e) => e.type !== "heartbeat"),
        [],
      );
      // resuming from the snapshot's version replays the patches since
      const replay = follow(clientA, state.version);
      await replay.waitFor((e) =>
        e.type === "patch" && e.patch.removeLogins?.includes(alice.id) ? true : undefined,
      );
      await replay.stop();
      assert.ok(!replay.events.some((e) => e.type === "snapshot"));
    });

    it("a revocation changes the KRL hash on the stream, and the KRL lists it", async () => {
      const stream = follow(clientA);
      const { value: state } = await stream.waitFor((e) => (e.type === "snapshot" ? e.state : undefined));
      const keyId = `${carol.id}@${tenantId}`;
      assert.equal(await running.store.certificates.revokeKeyId(tenantId, keyId, new Date(), "test"), true);
      const { value: sha } = await stream.waitFor((e) =>
        e.type === "patch" && e.patch.krlSha256 ? e.patch.krlSha256 : undefined,
      );
      await stream.stop();
      assert.notEqual(sha, state.krlSha256);
      const krl = parseKrl(await clientA.fetchKrl());
      assert.ok(krl.certificates.some((s) => s.keyIds.includes(keyId)));
    });

    it("another machine's agent reads its own machine's stream; a user token and a replaced key read none", async () => {
      const b = await agentClient(hostB);
      const stream = follow(b.client);
      const { value: state } = await stream.waitFor((e) => (e.type === "snapshot" ? e.state : undefined));
      await stream.stop();
      assert.equal(state.machineId, vmB);
      const asUser = await api("GET", "/agents/v1/stream");
      assert.equal(asUser.status, 403);
      assert.equal(asUser.body.error?.code, "ERR_AGENT_FORBIDDEN");
      // joining B again replaces its key: the old client is refused
      const { code } = await joinCode(vmB);
      await joinService(
        hostB.paths,
        { server: running.url, code, caFile: join(dir, "tls", "server-cert.pem"), force: true },
        systemClock,
      );
      const applied = [{ type: "applied" as const, at: Date.now(), version: 1 }];
      await assert.rejects(b.client.postReports(applied), { code: "ERR_EXTENSION_NO_MANAGED_IDENTITY" });
      // refused once, the client asks for no token for a while: no failed sign-in per report (every second)
      const failedSignIns = async () =>
        (
          (await api("GET", `/auditLogs/signIns?appId=${b.config.clientId}&result=failure`)).body
            .value as unknown[]
        ).length;
      // Recorded after the refusal was answered (sign-in/grant-events.ts writes in the background).
      let failedBefore = await failedSignIns();
      for (const deadline = performance.now() + 10_000; failedBefore < 1 && performance.now() < deadline; )
        failedBefore = await new Promise((r) => setTimeout(r, 50)).then(failedSignIns);
      assert.ok(failedBefore >= 1, "the refused token request is in the sign-in log");
      for (let i = 0; i < 5; i++) {
        await assert.rejects(b.client.postReports(applied), { code: "ERR_EXTENSION_NO_MANAGED_IDENTITY" });
      }
      assert.equal(await failedSignIns(), failedBefore);
      const fresh = await agentClient(hostB);
      await fresh.client.postReports(applied);
    });

    it("a host's refusal of someone the directory knows says why: no login role (the host: unknown user), or the host's own reason", async () => {
      const at = Date.now();
      const refused = (who: User, reason: string) => ({
        type: "login" as const,
        at,
        linuxName: who.linuxName,
        result: "failure" as const,
        reason,
        sourceAddress: "10.0.0.7",
      });
      // carol holds Owner only; alice holds Administrator Login on vmA.
      await clientA.postReports([refused(carol, "unknown user"), refused(alice, "certificate revoked")]);
      const reasonOf = async (who: User) => {
        const log = await api("GET", `/auditLogs/signIns?userId=${who.id}&result=failure&ipAddress=10.0.0.7`);
        const entries = log.body.value as {
          resourceId?: string;
          userPrincipalName?: string;
          failureReason?: string;
        }[];
        const entry = entries.find((e) => e.resourceId === vmA);
        assert.equal(entry?.userPrincipalName, who.upn);
        return entry?.failureReason;
      };
      assert.match(
        (await reasonOf(carol)) ?? "",
        /^no login role on this machine: .*\(the host: unknown user\)$/,
      );
      assert.equal(await reasonOf(alice), "certificate revoked");
    });

    it("records login reports in the sign-in log and the extension's result on the machine; refuses hostile bodies", async () => {
      const at = Date.now();
      await clientA.postReports([
        {
          type: "login",
          at,
          linuxName: alice.linuxName,
          result: "success",
          sourceAddress: "10.0.0.9",
          certificateSerial: "12345",
          keyId: `${alice.id}@${tenantId}`,
          level: "admin",
        },
        { type: "extension", at, name: "SSHLoginForLinux", provisioningState: "Succeeded" },
        { type: "applied", at, version: 3 },
      ]);
      const log = await api("GET", `/auditLogs/signIns?userId=${alice.id}`);
      const entry = (log.body.value as { resourceId?: string; ipAddress: string; appId?: string }[]).find(
        (e) => e.resourceId === vmA,
      );
      assert.equal(entry?.ipAddress, "10.0.0.9");
      assert.equal(entry?.appId, "hostpass-host-login");
      const ext = (await api("GET", `${vmA}/extensions`)).body.value as { provisioningState: string }[];
      assert.equal(ext[0]?.provisioningState, "Succeeded");
      const bad: unknown[][] = [
        Array.from({ length: 501 }, () => ({ type: "applied", at, version: 1 })),
        [{ type: "applied", at, version: 1, extra: true }],
        [{ type: "login", at, linuxName: "root\nx", result: "success", sourceAddress: "10.0.0.1" }],
        [{ type: "login", at, linuxName: "alice", result: "success", sourceAddress: "not-an-ip" }],
        [{ type: "login", at, linuxName: "alice", result: "maybe", sourceAddress: "10.0.0.1" }],
        [{ type: "extension", at, name: "SSHLoginForLinux", provisioningState: "Succeeded", exitCode: -1 }],
        [{ type: "nope", at }],
      ];
      for (const body of bad) {
        await assert.rejects(clientA.postReports(body as never), (error: { status?: number }) => {
          assert.equal(error.status, 400, JSON.stringify(body).slice(0, 200));
          return true;
        });
      }
    });

    it("a scale-set instance joins as the set's identity and gets the logins of a set-scope role", async () => {
      const set = `${rg}/providers/Compute/virtualMachineScaleSets/web`;
      const made = await api("PUT", set, {
        image: "debian-12",
        adminUsername: "localadmin",
        assignIdentity: true,
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const instance = `${set}/virtualMachines/0`;
      assert.equal((await api("PUT", instance, {})).status, 201);
      const ext = await api("PUT", `${set}/extensions/SSHLoginForLinux`, {
        publisher: "hostpass",
        type: "SSHLoginForLinux",
      });
      assert.equal(ext.status, 200, JSON.stringify(ext.body));
      await assign("Virtual Machine Administrator Login", carol.id, set);
      const hostC = await makeScratchHost();
      try {
        const { code } = await joinCode(instance);
        const config = await joinService(
          hostC.paths,
          { server: running.url, code, caFile: join(dir, "tls", "server-cert.pem") },
          systemClock,
        );
        assert.equal(config.machineId, instance);
        const stream = follow((await agentClient(hostC)).client);
        const { value: state } = await stream.waitFor((e) => (e.type === "snapshot" ? e.state : undefined));
        await stream.stop();
        assert.equal(state.machineId, instance);
        // carol through the set's scope; alice through her group at the resource group (earlier test)
        assert.deepEqual(Object.fromEntries(state.logins.map((l) => [l.linuxName, l.level])), {
          [carol.linuxName]: "admin",
          [alice.linuxName]: "user",
        });
      } finally {
        await removeDir(hostC.root);
      }
    });

    it("terminateSessions reaches the machine's stream; health is ok", async () => {
      const stream = follow(clientA);
      await stream.waitFor((e) => (e.type === "snapshot" ? true : undefined));
      const r = await api("POST", `${vmA}/terminateSessions`, { principals: [alice.upn, bob.id] });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.deepEqual(r.body.linuxNames, [alice.linuxName, bob.linuxName]);
      const { value } = await stream.waitFor((e) =>
        e.type === "terminateSessions" ? e.linuxNames : undefined,
      );
      await stream.stop();
      assert.deepEqual(value, [alice.linuxName, bob.linuxName]);
      const health = await api("GET", "/health");
      assert.equal(health.status, 200);
      assert.equal(health.body.status, "ok", JSON.stringify(health.body));
    });
  });
