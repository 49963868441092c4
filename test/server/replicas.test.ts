/**
 * Three real `hostpass server` processes on one PostgreSQL behave as one service (issue 10 item 4):
 * a device-code sign-in started on A, approved in the portal on B and redeemed on C; the refresh
 * token used on another replica; a certificate issued by B for a token from A; a portal sign-in
 * whose every request goes to the next replica, and the session it makes working everywhere and
 * ending everywhere; a user of a second tenant signing in; password attempts counted across
 * replicas; and a role removed on C reaching an agent's stream held on A within 5 s (LISTEN/NOTIFY).
 * Nothing here is sticky: each replica has its own memory and data directory.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AgentConfig, CONFIG_FILE, KEY_FILE } from "../../src/agent/agent-config.ts";
import { openAgentStore } from "../../src/agent/agent-store.ts";
import { joinService } from "../../src/agent/join.ts";
import { type ServiceClient, serviceClient } from "../../src/agent/service-client.ts";
import { createKeyProof } from "../../src/ca/index.ts";
import { createTenant, createUser, type User } from "../../src/directory/index.ts";
import { systemClock } from "../../src/shared/clock.ts";
import type { HostEvent } from "../../src/shared/host-protocol.ts";
import {
  CLI_CLIENT_ID,
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
  SIGN_IN_SCOPE,
} from "../../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair, parseCertificateText } from "../../src/ssh/index.ts";
import { openStore } from "../../src/store/index.ts";
import { makeScratchHost, type ScratchHost } from "../agent/helpers/scratch-host.ts";
import { makeTempDir, removeDir } from "../helpers/openssh.ts";
import {
  form,
  nextUrl,
  type Replica,
  ReplicaBrowser,
  type ReplicaSet,
  send,
  startReplicas,
} from "../helpers/replicas.ts";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
}

describe("replicas: three hostpass servers on one PostgreSQL behave as one service", () => {
  let set: ReplicaSet;
  let A: Replica;
  let B: Replica;
  let C: Replica;
  let work: string;
  let host: ScratchHost | undefined;
  let secondTenant: string;
  let alice: User;
  const bobPassword = "bob's password at fabrikam";
  let adminRefresh = "";
  let apiToken = "";

  const api = async (replica: Replica, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${apiToken}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    return send(set, replica, method, path, {
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };

  /**
   * A device-code sign-in: started on `start`, its portal steps (device page, password, code,
   * approval) each on the next replica of `portal`, redeemed on `redeem`.
   */
  const deviceSignIn = async (
    start: Replica,
    portal: readonly [Replica, Replica, Replica, Replica],
    redeem: Replica,
    upn: string,
    password: string,
  ): Promise<Record<string, string>> => {
    const auth = await send(
      set,
      start,
      "POST",
      "/oauth2/device/auth",
      form({ client_id: CLI_CLIENT_ID, scope: SIGN_IN_SCOPE }),
    );
    assert.equal(auth.status, 200, auth.body);
    const { device_code, user_code, verification_uri } = auth.json<Record<string, string>>();
    assert.equal(new URL(verification_uri ?? "").origin, set.publicUrl);
    const browser = new ReplicaBrowser(set);
    const [first, second, third, fourth] = portal;
    const page = await browser.follow([first], verification_uri ?? "");
    assert.match(page.reply.body, /name="password"/, "the device page asks to sign in first");
    const signedIn = await browser.request(second, "POST", "/portal/signin/password", {
      username: upn,
      password,
    });
    assert.equal(signedIn.status, 303, signedIn.body);
    await browser.follow([third], String(signedIn.headers.location));
    const entered = await browser.request(third, "POST", "/portal/device", { user_code: user_code ?? "" });
    assert.equal(entered.status, 200, entered.body);
    const approved = await browser.request(fourth, "POST", "/portal/device/decision", {
      user_code: user_code ?? "",
      decision: "approve",
    });
    assert.equal(approved.status, 200, approved.body);
    const tokens = await send(
      set,
      redeem,
      "POST",
      "/oauth2/token",
      form({ grant_type: DEVICE_GRANT, device_code: device_code ?? "", client_id: CLI_CLIENT_ID }),
    );
    assert.equal(tokens.status, 200, tokens.body);
    return tokens.json<Record<string, string>>();
  };

  const refreshOn = async (replica: Replica, refreshToken: string, resource: string, scope: string) => {
    const r = await send(
      set,
      replica,
      "POST",
      "/oauth2/token",
      form({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: CLI_CLIENT_ID,
        resource,
        scope,
      }),
    );
    assert.equal(r.status, 200, r.body);
    return r.json<Record<string, string>>();
  };

  before(async () => {
    work = await makeTempDir("hostpass-replicas-test-");
    set = await startReplicas(3);
    [A, B, C] = set.replicas as [Replica, Replica, Replica];
    // A second tenant with its own user, and a user of the first, written straight to the store.
    const store = await openStore({ url: set.database, keyEncryptionKey: set.kek });
    try {
      const fabrikam = await createTenant(store.directory, { name: "fabrikam", displayName: "Fabrikam" });
      secondTenant = fabrikam.id;
      await createUser(store.directory, {
        tenantId: fabrikam.id,
        upn: "bob@fabrikam.example",
        displayName: "Bob",
        password: bobPassword,
      });
      alice = await createUser(store.directory, {
        tenantId: set.tenantId,
        upn: "alice@contoso.example",
        displayName: "Alice",
      });
    } finally {
      await store.close();
    }
  });
  after(async () => {
    if (host) await removeDir(host.root);
    await set?.close();
    if (work) await removeDir(work);
  });

  it("signs in by device code started on A, through portal pages on B, C, A, B, redeemed on C", async () => {
    const tokens = await deviceSignIn(A, [B, C, A, B], C, set.adminUpn, set.adminPassword);
    const id = claimsOf(tokens.id_token ?? "");
    assert.equal(id.tid, set.tenantId);
    assert.equal(id.iss, `${set.publicUrl}/oauth2`);
    assert.ok(tokens.refresh_token);
    adminRefresh = tokens.refresh_token ?? "";
  });

  it("refreshes on A the refresh token C issued; the API token works on B and C", async () => {
    const refreshed = await refreshOn(A, adminRefresh, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE);
    adminRefresh = refreshed.refresh_token ?? adminRefresh;
    apiToken = refreshed.access_token ?? "";
    for (const replica of [B, C]) {
      const r = await api(replica, "GET", `/subscriptions/${set.subscriptionId}`);
      assert.equal(r.status, 200, `${replica.name}: ${r.body}`);
    }
  });

  it("issues a certificate on B for a Linux VM Sign-In token from A", async () => {
    const tokens = await refreshOn(A, adminRefresh, LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE);
    adminRefresh = tokens.refresh_token ?? adminRefresh;
    const token = tokens.access_token ?? "";
    const key = generateKeyPair("ssh-ed25519");
    const proof = await createKeyProof(key.privateKey, key.publicKey, {
      method: "POST",
      url: `${set.publicUrl}/ssh/certificates`,
      accessToken: token,
    });
    const r = await send(set, B, "POST", "/ssh/certificates", {
      headers: { authorization: `Bearer ${token}`, dpop: proof, "content-type": "application/json" },
      body: JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
    });
    assert.equal(r.status, 201, r.body);
    const cert = parseCertificateText(String(r.json().certificate));
    assert.equal(cert.principals.length, 1);
    assert.match(cert.keyId, new RegExp(`@${set.tenantId}$`));
  });

  it("a portal sign-in hopping replica to replica on every request makes a session every replica honours", async () => {
    const browser = new ReplicaBrowser(set);
    const route = [A, B, C];
    const start = await browser.follow(route, "/portal/");
    assert.match(start.reply.body, /name="password"/, "not signed in: the sign-in page");
    const posted = await browser.request(
      route[start.hops % 3] as Replica,
      "POST",
      "/portal/signin/password",
      {
        username: set.adminUpn,
        password: set.adminPassword,
      },
    );
    const next = nextUrl(posted);
    assert.ok(next, `the password is taken: ${posted.status}`);
    const home = await browser.follow([B, C, A], next);
    assert.equal(home.url.pathname, "/portal/", home.reply.body.slice(0, 500));
    assert.equal(home.reply.status, 200);
    // /portal/ → start → /oauth2/auth → interaction → sign-in page, then resume → callback → home
    assert.ok(start.hops + 1 + home.hops >= 6, `the sign-in took ${start.hops + 1 + home.hops} requests`);
    for (const replica of [A, B, C]) {
      const page = await browser.request(replica, "GET", "/portal/");
      assert.equal(page.status, 200, `${replica.name} honours the session`);
      assert.match(page.body, new RegExp(set.adminUpn.replace(".", "\\.")));
    }
    const signOut = await browser.request(C, "POST", "/portal/signout", {});
    assert.equal(signOut.status, 303);
    for (const replica of [A, B]) {
      const page = await browser.request(replica, "GET", "/portal/");
      assert.equal(page.status, 303, `${replica.name}: the session ended everywhere`);
    }
  });

  it("a user of a second tenant signs in (every tenant, not only the bootstrap one)", async () => {
    const tokens = await deviceSignIn(C, [A, B, C, A], B, "bob@fabrikam.example", bobPassword);
    assert.equal(claimsOf(tokens.id_token ?? "").tid, secondTenant);
    assert.equal(claimsOf(tokens.id_token ?? "").preferred_username, "bob@fabrikam.example");
  });

  it("counts failed passwords across replicas: the sixth attempt is locked on any replica", async () => {
    const browser = new ReplicaBrowser(set);
    const replicas = [A, B, C, A, B];
    for (const replica of replicas) {
      await browser.follow([replica], "/portal/signin");
      const r = await browser.request(replica, "POST", "/portal/signin/password", {
        username: "bob@fabrikam.example",
        password: "not the password",
      });
      assert.equal(r.status, 401, `${replica.name}: ${r.status}`);
    }
    await browser.follow([C], "/portal/signin");
    const locked = await browser.request(C, "POST", "/portal/signin/password", {
      username: "bob@fabrikam.example",
      password: bobPassword,
    });
    assert.equal(locked.status, 429, "locked after five failures spread over three replicas");
    assert.ok(Number(locked.headers["retry-after"]) > 0);
  });

  it("a role removed on C reaches an agent's stream held on A within 5 s", async () => {
    const rg = `/subscriptions/${set.subscriptionId}/resourceGroups/LinuxVMs`;
    assert.equal((await api(B, "PUT", rg, { location: "local" })).status, 201);
    const vm = `${rg}/providers/Compute/virtualMachines/vm1`;
    const created = await api(C, "PUT", vm, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
    });
    assert.equal(created.status, 201, created.body);
    const ext = { publisher: "hostpass", type: "SSHLoginForLinux" };
    assert.equal((await api(A, "PUT", `${vm}/extensions/SSHLoginForLinux`, ext)).status, 200);
    const assignment = `${vm}/providers/Authorization/roleAssignments/${randomUUID()}`;
    const assigned = await api(B, "PUT", assignment, {
      role: "Virtual Machine User Login",
      assignee: alice.id,
    });
    assert.equal(assigned.status, 201, assigned.body);
    const code = await api(B, "POST", `${vm}/joinCode`);
    assert.equal(code.status, 201, code.body);
    // The agent joins through the public URL (A) and holds its stream there.
    host = await makeScratchHost();
    const caFile = join(work, "ca.pem");
    await writeFile(caFile, set.ca);
    await joinService(
      host.paths,
      { server: set.publicUrl, code: String(code.json().code), caFile },
      systemClock,
    );
    const agentStore = await openAgentStore(host.paths);
    const config = (await agentStore.read<AgentConfig>(CONFIG_FILE)) as AgentConfig;
    const client: ServiceClient = serviceClient({
      config,
      privateKeyPem: await readFile(join(agentStore.dir, KEY_FILE), "utf8"),
      caPem: set.ca,
      caFile,
      clock: systemClock,
    });
    const events: HostEvent[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      try {
        for await (const e of client.stream(undefined, controller.signal))
          events.push({ type: e.type, ...JSON.parse(e.data) } as HostEvent);
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
    })();
    /** Object ids that may log in, as the agent would hold them after every event so far. */
    const loginsNow = (): Set<string> => {
      const ids = new Set<string>();
      for (const e of events) {
        if (e.type === "snapshot") {
          ids.clear();
          for (const l of e.state.logins) ids.add(l.objectId);
        } else if (e.type === "patch") {
          for (const l of e.patch.upsertLogins ?? []) ids.add(l.objectId);
          for (const id of e.patch.removeLogins ?? []) ids.delete(id);
        }
      }
      return ids;
    };
    const waitFor = async (check: (logins: Set<string>) => boolean, timeoutMs: number) => {
      const t0 = performance.now();
      while (!check(loginsNow())) {
        if (performance.now() - t0 > timeoutMs)
          throw new Error(`not seen in ${timeoutMs} ms: ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      await waitFor((logins) => logins.has(alice.id), 15_000);
      const t0 = performance.now();
      const removed = await api(C, "DELETE", assignment);
      assert.equal(removed.status, 200, removed.body);
      await waitFor((logins) => !logins.has(alice.id), 5_000);
      const ms = performance.now() - t0;
      assert.ok(ms < 5_000, `role removal reached the agent on A in ${Math.round(ms)} ms`);
    } finally {
      controller.abort();
      await reading;
    }
  });
});
