/**
 * Three real `hostpass server` processes on one PostgreSQL behave as one service (issue 10 item 4):
 * a device-code sign-in started on A, its portal pages on B, C, A, B, redeemed on C; the refresh
 * token used on another replica; a certificate issued by B for a token from A; a portal sign-in
 * whose every request goes to the next replica, and the session it makes working everywhere and
 * ending everywhere; a user of a second tenant signing in; password attempts counted across
 * replicas; a role granted on A decided on B once B heard its notice, and a change made while B's
 * change-notice listener was cut decided on B once it listens again; and a role removed on C
 * reaching an agent's stream held on A within 5 s (LISTEN/NOTIFY).
 * Nothing here is sticky: each replica has its own memory and data directory.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { createKeyProof } from "../../src/ca/index.ts";
import { createTenant, createUser, type User } from "../../src/directory/index.ts";
import {
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair, parseCertificateText } from "../../src/ssh/index.ts";
import { openStore } from "../../src/store/index.ts";
import {
  apiOn,
  deviceSignIn,
  followAgent,
  joinAgent,
  PG_BASE,
  portalSignIn,
  type Replica,
  ReplicaBrowser,
  type ReplicaSet,
  refreshOn,
  send,
  startReplicas,
} from "../helpers/replicas.ts";

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
}

describe("replicas: three hostpass servers on one PostgreSQL behave as one service", () => {
  let set: ReplicaSet;
  let A: Replica;
  let B: Replica;
  let C: Replica;
  let secondTenant: string;
  let alice: User;
  const bobPassword = "bob's password at fabrikam";
  let adminRefresh = "";
  let apiToken = "";
  let api: ReturnType<typeof apiOn>;
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    set = await startReplicas(3);
    [A, B, C] = set.replicas as [Replica, Replica, Replica];
    api = apiOn(set, () => apiToken);
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
    for (const cleanup of cleanups) await cleanup();
    await set?.close();
  });

  it("all three started at once on a fresh database: exactly one bootstrapped it, all agree on it", async () => {
    assert.equal(set.bootstrappedBy.length, 1, set.replicas.map((r) => r.stdout()).join("\n"));
    for (const replica of set.replicas) {
      assert.match(replica.stdout(), new RegExp(`^tenant: \\S+ \\(${set.tenantId}\\)`, "m"));
      assert.match(replica.stdout(), new RegExp(`default subscription: ${set.subscriptionId}`));
    }
  });

  it("signs in by device code started on A, through portal pages on B, C, A, B, redeemed on C", async () => {
    const tokens = await deviceSignIn(set, A, [B, C, A, B], C, set.adminUpn, set.adminPassword);
    const id = claimsOf(tokens.id_token ?? "");
    assert.equal(id.tid, set.tenantId);
    assert.equal(id.iss, `${set.publicUrl}/oauth2`);
    assert.ok(tokens.refresh_token);
    adminRefresh = tokens.refresh_token ?? "";
  });

  it("refreshes on A the refresh token C issued; the API token works on B and C", async () => {
    const refreshed = await refreshOn(set, A, adminRefresh, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE);
    adminRefresh = refreshed.refresh_token ?? adminRefresh;
    apiToken = refreshed.access_token ?? "";
    for (const replica of [B, C]) {
      const r = await api(replica, "GET", `/subscriptions/${set.subscriptionId}`);
      assert.equal(r.status, 200, `${replica.name}: ${r.body}`);
    }
  });

  it("issues a certificate on B for a Linux VM Sign-In token from A (DPoP-bound to the key)", async () => {
    const key = generateKeyPair("ssh-ed25519");
    const tokens = await refreshOn(
      set,
      A,
      adminRefresh,
      LINUX_VM_SIGN_IN_RESOURCE,
      LINUX_VM_SIGN_IN_SCOPE,
      key,
    );
    adminRefresh = tokens.refresh_token ?? adminRefresh;
    assert.equal(tokens.token_type, "DPoP");
    const token = tokens.access_token ?? "";
    const proof = await createKeyProof(key.privateKey, key.publicKey, {
      method: "POST",
      url: `${set.publicUrl}/ssh/certificates`,
      accessToken: token,
    });
    const r = await send(set, B, "POST", "/ssh/certificates", {
      headers: { authorization: `DPoP ${token}`, dpop: proof, "content-type": "application/json" },
      body: JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
    });
    assert.equal(r.status, 201, r.body);
    const cert = parseCertificateText(String(r.json().certificate));
    assert.equal(cert.principals.length, 1);
    assert.match(cert.keyId, new RegExp(`@${set.tenantId}$`));
  });

  it("a portal sign-in hopping replica to replica on every request makes a session every replica honours", async () => {
    const { browser, requests } = await portalSignIn(set, [A, B, C], set.adminUpn, set.adminPassword);
    // /portal/ → start → /oauth2/auth → interaction → sign-in page, password, resume → callback → home
    assert.ok(requests >= 7, `the sign-in took ${requests} requests`);
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
    const tokens = await deviceSignIn(set, C, [A, B, C, A], B, "bob@fabrikam.example", bobPassword);
    assert.equal(claimsOf(tokens.id_token ?? "").tid, secondTenant);
    assert.equal(claimsOf(tokens.id_token ?? "").preferred_username, "bob@fabrikam.example");
  });

  it("counts failed passwords across replicas: the sixth attempt is locked on any replica", async () => {
    const browser = new ReplicaBrowser(set);
    for (const replica of [A, B, C, A, B]) {
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

  it("decisions: a role granted on A is decided on B once B heard its notice; a change made while B's listener was cut is decided on B when it listens again", async () => {
    const sub = `/subscriptions/${set.subscriptionId}`;
    type Decisions = {
      freshness: string;
      heardVersion: number;
      appliedVersion: number;
      noticeListens: number;
    };
    const decisions = async (replica: Replica): Promise<Decisions> => {
      const r = await api(replica, "GET", "/health");
      assert.equal(r.status, 200, r.body);
      return r.json().decisions as Decisions;
    };
    const until = async (replica: Replica, what: string, done: (d: Decisions) => boolean) => {
      const deadline = performance.now() + 20_000;
      for (;;) {
        const d = await decisions(replica);
        if (done(d)) return d;
        assert.ok(performance.now() < deadline, `${replica.name}: ${what} (${JSON.stringify(d)})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const may = async (replica: Replica) => {
      const r = await api(replica, "POST", `${sub}/providers/Authorization/checkAccess`, {
        action: "Compute/virtualMachines/login/action",
        assignee: alice.id,
      });
      assert.equal(r.status, 200, r.body);
      return r.json().allowed as boolean;
    };
    const before = await until(B, "notices trusted", (d) => d.freshness === "notices");
    assert.equal(await may(B), false);

    const id = `${sub}/providers/Authorization/roleAssignments/${randomUUID()}`;
    const put = await api(A, "PUT", id, { role: "Virtual Machine User Login", assignee: alice.id });
    assert.equal(put.status, 201, put.body);
    // A knew its own commit at once; B hears of it by its notice.
    const { heardVersion } = await decisions(A);
    assert.ok(heardVersion > before.heardVersion);
    await until(B, `hears version ${heardVersion}`, (d) => d.heardVersion >= heardVersion);
    assert.equal(await may(B), true, "B decides with A's change");

    // B's listener is cut (as a lost connection); the role is removed on A meanwhile, whose
    // notice B may never get. Once B listens again, its first decision reflects the removal.
    const admin = new pg.Client({ connectionString: PG_BASE });
    await admin.connect();
    try {
      const cut = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1",
        [`hostpass-change-notices ${B.child.pid}`],
      );
      assert.equal(cut.rowCount, 1, "B's listening connection");
    } finally {
      await admin.end();
    }
    const removed = await api(A, "DELETE", id);
    assert.equal(removed.status, 200, removed.body);
    await until(
      B,
      "listens again",
      (d) => d.noticeListens > before.noticeListens && d.freshness === "notices",
    );
    assert.equal(await may(B), false, "B decides with the removal made while its listener was cut");
    assert.equal(await may(C), false);
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
    const agent = await joinAgent(set, String(code.json().code));
    cleanups.push(agent.remove);
    const stream = followAgent(agent.client);
    try {
      await stream.waitFor((logins) => logins.has(alice.id), 15_000);
      const t0 = performance.now();
      const removed = await api(C, "DELETE", assignment);
      assert.equal(removed.status, 200, removed.body);
      await stream.waitFor((logins) => !logins.has(alice.id), 5_000);
      const ms = performance.now() - t0;
      assert.ok(ms < 5_000, `role removal reached the agent on A in ${Math.round(ms)} ms`);
    } finally {
      await stream.stop();
    }
  });
});
