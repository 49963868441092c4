/**
 * `npm run bench -- replicas [--replicas=3] [--total=1500] [--rounds=5]`: several real
 * `hostpass server` processes on one PostgreSQL behaving as one service (issue 10 item 4), on this
 * machine (all replicas share its cores and the database).
 *
 * Times (ms, end to end over HTTPS, as a client sees them):
 * - `deviceSignIn`: device authorization on A, the portal's device page, password, code and
 *   approval on B, C, A, B, the token redeemed on C;
 * - `portalSignIn`: a portal sign-in whose every request goes to the next replica, to the home page;
 * - `issuanceOnB`: one certificate from B for a Linux VM Sign-In token A issued;
 * - `revocation`: a role removed through C until the agent's stream held by A drops the login
 *   (`--rounds` times: p50 and max; target 5 s).
 * Throughput: `--total` certificate requests (32 Ed25519 keys, each with its DPoP-bound token;
 * a fresh proof per request, made before the clock starts) at concurrency 16, all to A, then spread round robin over every replica, in
 * alternating rounds; issuances/s each and the ratio (across ÷ one). Load average with each figure.
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:https";
import { loadavg } from "node:os";
import { createKeyProof } from "../src/ca/index.ts";
import { createUser } from "../src/directory/index.ts";
import {
  LINUX_VM_SIGN_IN_RESOURCE,
  LINUX_VM_SIGN_IN_SCOPE,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
} from "../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair, type KeyPair } from "../src/ssh/index.ts";
import { openStore } from "../src/store/index.ts";
import {
  apiOn,
  deviceSignIn,
  followAgent,
  joinAgent,
  portalSignIn,
  type Replica,
  refreshOn,
  send,
  startReplicas,
} from "../test/helpers/replicas.ts";
import { median, numberOption, round } from "./lib-measure.ts";

const CONCURRENCY = 16;
const KEY_POOL = 32;
const TARGET_MS = 5000;

const load = () => loadavg().map((l) => round(l, 2));

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: round(performance.now() - t0, 1) };
}

export async function run(args: string[]): Promise<object> {
  const count = numberOption(args, "replicas", 3);
  const total = numberOption(args, "total", 1500);
  const rounds = numberOption(args, "rounds", 5);
  if (count < 2) throw new Error("--replicas must be at least 2");
  const loadAtStart = load();
  const started = await timed(() => startReplicas(count));
  const set = started.value;
  const [A, B, C = B] = set.replicas as [Replica, Replica, Replica?];
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const store = await openStore({ url: set.database, keyEncryptionKey: set.kek });
    const users = [];
    for (let r = 0; r < rounds; r++)
      users.push(
        await createUser(store.directory, {
          tenantId: set.tenantId,
          upn: `bench${r}@contoso.example`,
          displayName: `bench ${r}`,
        }),
      );
    await store.close();

    const device = await timed(() => deviceSignIn(set, A, [B, C, A, B], C, set.adminUpn, set.adminPassword));
    let refresh = device.value.refresh_token ?? "";
    const apiTokens = await refreshOn(set, A, refresh, MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE);
    refresh = apiTokens.refresh_token ?? refresh;
    const api = apiOn(set, () => apiTokens.access_token ?? "");
    const portal = await timed(() => portalSignIn(set, set.replicas, set.adminUpn, set.adminPassword));

    // Linux VM Sign-In tokens are DPoP-bound to the key they certify: a pool of keys, each with
    // its token refreshed on A (the refresh token rotates: one after the other), a fresh proof
    // per request made before the clock starts.
    const pool: { key: KeyPair; token: string }[] = [];
    for (let i = 0; i < KEY_POOL; i++) {
      const key = generateKeyPair("ssh-ed25519");
      const bound = await refreshOn(set, A, refresh, LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE, key);
      refresh = bound.refresh_token ?? refresh;
      pool.push({ key, token: bound.access_token ?? "" });
    }
    const endpoint = `${set.publicUrl}/ssh/certificates`;
    let made = 0;
    const makeRequest = async () => {
      const { key, token } = pool[made++ % pool.length] as (typeof pool)[number];
      return {
        token,
        body: JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
        proof: await createKeyProof(key.privateKey, key.publicKey, {
          method: "POST",
          url: endpoint,
          accessToken: token,
        }),
      };
    };
    // One certificate on B for a token A issued.
    const one = await makeRequest();
    const issuance = await timed(() =>
      send(set, B, "POST", "/ssh/certificates", {
        headers: { authorization: `DPoP ${one.token}`, dpop: one.proof, "content-type": "application/json" },
        body: one.body,
      }),
    );
    if (issuance.value.status !== 201) throw new Error(`issuance on B failed: ${issuance.value.body}`);

    // Throughput: all on A, then round robin over every replica, alternating.
    const agents = new Map(
      set.replicas.map((r) => [r, new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca: set.ca })]),
    );
    const post = (replica: Replica, r: { token: string; body: string; proof: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          new URL("/ssh/certificates", replica.url),
          {
            method: "POST",
            agent: agents.get(replica),
            headers: { authorization: `DPoP ${r.token}`, dpop: r.proof, "content-type": "application/json" },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
          },
        );
        req.on("error", reject);
        req.end(r.body);
      });
    const measure = async (targets: readonly Replica[]) => {
      const requests: { token: string; body: string; proof: string }[] = [];
      for (let i = 0; i < total; i++) requests.push(await makeRequest());
      let next = 0;
      let failures = 0;
      const loadBefore = load();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let r = requests.pop(); r; r = requests.pop()) {
            const target = targets[next++ % targets.length] as Replica;
            if ((await post(target, r)) !== 201) failures++;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      return { perSecond: Math.round((total - failures) / seconds), failures, load: loadBefore };
    };
    const single: Awaited<ReturnType<typeof measure>>[] = [];
    const across: Awaited<ReturnType<typeof measure>>[] = [];
    for (let r = 0; r < 2; r++) {
      single.push(await measure([A]));
      across.push(await measure(set.replicas));
    }
    for (const agent of agents.values()) agent.destroy();
    const singleRate = median(single.map((s) => s.perSecond));
    const acrossRate = median(across.map((s) => s.perSecond));

    // Revocation: a role removed through C, seen by the agent whose stream A holds.
    const rg = `/subscriptions/${set.subscriptionId}/resourceGroups/LinuxVMs`;
    await api(B, "PUT", rg, { location: "local" });
    const vm = `${rg}/providers/Compute/virtualMachines/vm1`;
    const created = await api(C, "PUT", vm, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
    });
    if (created.status !== 201) throw new Error(`vm create: ${created.body}`);
    await api(A, "PUT", `${vm}/extensions/SSHLoginForLinux`, {
      publisher: "hostpass",
      type: "SSHLoginForLinux",
    });
    const code = await api(B, "POST", `${vm}/joinCode`);
    const agent = await joinAgent(set, String(code.json().code));
    cleanups.push(agent.remove);
    const stream = followAgent(agent.client);
    const removal: number[] = [];
    const grant: number[] = [];
    try {
      for (const user of users) {
        const assignment = `${vm}/providers/Authorization/roleAssignments/${randomUUID()}`;
        const g0 = performance.now();
        const assigned = await api(B, "PUT", assignment, {
          role: "Virtual Machine User Login",
          assignee: user.id,
        });
        if (assigned.status !== 201) throw new Error(`assign: ${assigned.body}`);
        await stream.waitFor((logins) => logins.has(user.id), 15_000);
        grant.push(performance.now() - g0);
        const t0 = performance.now();
        const removed = await api(C, "DELETE", assignment);
        if (removed.status !== 200) throw new Error(`remove: ${removed.body}`);
        await stream.waitFor((logins) => !logins.has(user.id), 15_000);
        removal.push(performance.now() - t0);
      }
    } finally {
      await stream.stop();
    }
    const p50 = median(removal);
    return {
      replicas: count,
      store: "PostgreSQL (one schema), all replicas and the database on this machine",
      loadAverage: { atStart: loadAtStart, atEnd: load() },
      startMs: started.ms,
      timesMs: {
        deviceSignIn: device.ms,
        portalSignIn: portal.ms,
        portalSignInRequests: portal.value.requests,
        issuanceOnB: issuance.ms,
        grantOnBSeenOnA: { p50: round(median(grant), 1), max: round(Math.max(...grant), 1) },
        revocation: {
          p50: round(p50, 1),
          max: round(Math.max(...removal), 1),
          all: removal.map((m) => round(m, 1)),
          target: TARGET_MS,
          ratio: round(p50 / TARGET_MS),
        },
      },
      issuance: {
        concurrency: CONCURRENCY,
        requestsPerRound: total,
        oneReplicaPerSec: singleRate,
        acrossReplicasPerSec: acrossRate,
        ratio: round(acrossRate / singleRate),
        rounds: { one: single, across },
      },
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
    await set.close();
  }
}
