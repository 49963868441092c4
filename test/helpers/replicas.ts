/**
 * Several real `hostpass server` processes on one PostgreSQL schema, as an operator runs replicas
 * behind a load balancer: one key-encryption key (`HOSTPASS_KEK`), one public URL (the first
 * replica's address stands for the load balancer's), one TLS certificate (the first replica's,
 * copied into the others' data directories as an operator deploys one), a data directory each.
 * Requests name the replica they go to; URLs the service hands out (public URL) are sent to
 * whichever replica the caller picks.
 *
 * `ReplicaBrowser` is a cookie-keeping HTTPS client for the portal's forms (CSRF token of the last
 * page), so a sign-in can hop between replicas request by request.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { type AgentConfig, CONFIG_FILE, KEY_FILE } from "../../src/agent/agent-config.ts";
import { openAgentStore } from "../../src/agent/agent-store.ts";
import { joinService } from "../../src/agent/join.ts";
import { type ServiceClient, serviceClient } from "../../src/agent/service-client.ts";
import { createKeyProof } from "../../src/ca/index.ts";
import { loadOrCreateTls } from "../../src/server/tls.ts";
import { systemClock } from "../../src/shared/clock.ts";
import type { HostEvent } from "../../src/shared/host-protocol.ts";
import { CLI_CLIENT_ID, SIGN_IN_SCOPE } from "../../src/shared/well-known.ts";
import type { KeyPair } from "../../src/ssh/index.ts";
import { makeScratchHost } from "../agent/helpers/scratch-host.ts";
import { makeTempDir, removeDir } from "./openssh.ts";

const BIN = join(import.meta.dirname, "..", "..", "bin", "hostpass");
export const PG_BASE = process.env.HOSTPASS_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface Replica {
  readonly name: string;
  /** Where this replica listens (`https://127.0.0.1:port`). */
  readonly url: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
}

export interface ReplicaSet {
  readonly replicas: readonly Replica[];
  /** The replicas that said they created the first administrator (one: the one that bootstrapped). */
  readonly bootstrappedBy: readonly string[];
  /** The public URL every replica names itself by (the issuer is `<publicUrl>/oauth2`). */
  readonly publicUrl: string;
  /** The shared TLS certificate (PEM). */
  readonly ca: string;
  /** `postgres://…?schema=…` of the shared store. */
  readonly database: string;
  readonly kek: Uint8Array;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly adminUpn: string;
  readonly adminPassword: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

async function spawnReplica(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Replica> {
  const child = spawn(BIN, ["server", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (err += d));
  const deadline = Date.now() + timeoutMs;
  while (!/^tenant: /m.test(out) && child.exitCode === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (\S+)/.exec(out)?.[1];
  if (url === undefined || child.exitCode !== null) {
    child.kill("SIGKILL");
    throw new Error(`replica ${name} did not start (exit ${child.exitCode}):\n${out}\n${err}`);
  }
  return { name, url, child, stdout: () => out, stderr: () => err };
}

/** Starts `count` replicas at once on a fresh schema. */
export async function startReplicas(
  count: number,
  options: { timeoutMs?: number } = {},
): Promise<ReplicaSet> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const schema = `replicas_${randomBytes(6).toString("hex")}`;
  const database = `${PG_BASE}?schema=${schema}`;
  const kek = new Uint8Array(randomBytes(32));
  const adminPassword = `replicas ${randomBytes(9).toString("base64url")}`;
  const root = await makeTempDir("hostpass-replicas-");
  const env = {
    ...process.env,
    HOSTPASS_KEK: Buffer.from(kek).toString("base64"),
    HOSTPASS_ADMIN_PASSWORD: adminPassword,
  };
  const replicas: Replica[] = [];
  const stop = async () => {
    await Promise.all(
      replicas.map(async (r) => {
        if (r.child.exitCode !== null || r.child.signalCode !== null) return;
        const exited = once(r.child, "exit");
        r.child.kill("SIGTERM");
        await exited;
      }),
    );
  };
  try {
    const port = await freePort();
    const publicUrl = `https://127.0.0.1:${port}`;
    const args = (i: number, listen: string) => [
      "--data-dir",
      join(root, `r${i}`),
      "--database",
      database,
      "--listen",
      listen,
      "--public-url",
      publicUrl,
    ];
    // The operator's certificate, deployed to every replica; then all start at once on the fresh
    // store (one bootstraps it, the others wait for that and find its work).
    await loadOrCreateTls(join(root, "r0"), ["127.0.0.1"]);
    const ca = await readFile(join(root, "r0", "tls", "server-cert.pem"), "utf8");
    for (let i = 1; i < count; i++) {
      await mkdir(join(root, `r${i}`), { recursive: true, mode: 0o700 });
      await cp(join(root, "r0", "tls"), join(root, `r${i}`, "tls"), { recursive: true });
    }
    const starting = Array.from({ length: count }, (_, i) =>
      spawnReplica(String.fromCharCode(65 + i), args(i, `127.0.0.1:${i === 0 ? port : 0}`), env, timeoutMs),
    );
    const settled = await Promise.allSettled(starting);
    for (const r of settled) if (r.status === "fulfilled") replicas.push(r.value);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const outputs = replicas.map((r) => r.stdout());
    const first = outputs[0] ?? "";
    const tenantId = /^tenant: \S+ \(([0-9a-f-]{36})\)/m.exec(first)?.[1] ?? "";
    const subscriptionId = /default subscription: ([0-9a-f-]{36})/.exec(first)?.[1] ?? "";
    const bootstrappedBy = replicas
      .filter((r) => /^first administrator: /m.test(r.stdout()))
      .map((r) => r.name);
    const adminUpn =
      outputs.map((o) => /^first administrator: (\S+)/m.exec(o)?.[1]).find((u) => u !== undefined) ??
      "admin@hostpass.local";
    return {
      replicas,
      bootstrappedBy,
      publicUrl,
      ca,
      database,
      kek,
      tenantId,
      subscriptionId,
      adminUpn,
      adminPassword,
      async close() {
        await stop();
        await removeDir(root);
        const client = new pg.Client({ connectionString: PG_BASE });
        await client.connect();
        try {
          await client.query(`drop schema if exists ${schema} cascade`);
        } finally {
          await client.end();
        }
      },
    };
  } catch (error) {
    await stop();
    await removeDir(root);
    throw error;
  }
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTPS request to a replica; a URL on the public origin is sent to `replica` instead. */
export function send(
  set: Pick<ReplicaSet, "ca" | "publicUrl">,
  replica: Pick<Replica, "url">,
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<HttpReply> {
  const parsed = new URL(target, set.publicUrl);
  const url = new URL(`${parsed.pathname}${parsed.search}`, replica.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca: set.ca, headers: options.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json: <T>() => JSON.parse(body) as T,
        }),
      );
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

export const form = (fields: Record<string, string>) => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** A browser for the portal's pages: cookies, the last page's CSRF token, any replica per request. */
export class ReplicaBrowser {
  readonly cookies = new Map<string, string>();
  last: HttpReply | undefined;
  readonly #set: Pick<ReplicaSet, "ca" | "publicUrl">;

  constructor(set: Pick<ReplicaSet, "ca" | "publicUrl">) {
    this.#set = set;
  }

  async request(
    replica: Pick<Replica, "url">,
    method: string,
    target: string,
    fields?: Record<string, string>,
  ): Promise<HttpReply> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (fields !== undefined) {
      const csrf = /name="csrf" value="([^"]+)"/.exec(this.last?.body ?? "")?.[1] ?? "";
      body = new URLSearchParams({ csrf, ...fields }).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const reply = await send(this.#set, replica, method, target, { headers, ...(body ? { body } : {}) });
    const set = reply.headers["set-cookie"];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = ""] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line) || /expires=thu, 01 jan 1970/i.test(line))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (reply.status < 300 || reply.status >= 400) this.last = reply;
    return reply;
  }

  /**
   * GET `target`, then follows redirects and meta refreshes, each hop on the next replica of
   * `route` (round robin), until a page that is neither; stops at URLs for which `stop` is true.
   */
  async follow(
    route: readonly Pick<Replica, "url">[],
    target: string,
    stop: (url: URL) => boolean = () => false,
  ): Promise<{ reply: HttpReply; url: URL; hops: number }> {
    let url = new URL(target, this.#set.publicUrl);
    for (let hop = 0; hop < 30; hop++) {
      if (stop(url)) return { reply: this.last as HttpReply, url, hops: hop };
      const replica = route[hop % route.length] as Pick<Replica, "url">;
      const reply = await this.request(replica, "GET", url.href);
      const next = nextUrl(reply);
      if (next === undefined) return { reply, url, hops: hop };
      url = new URL(next, url);
    }
    throw new Error(`too many redirects from ${target}`);
  }
}

/** A redirect's Location or a meta refresh's URL. */
export function nextUrl(reply: HttpReply): string | undefined {
  if (reply.status >= 300 && reply.status < 400) return String(reply.headers.location ?? "");
  const meta = /<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"/i.exec(reply.body);
  return meta?.[1]?.replaceAll("&amp;", "&");
}

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/**
 * A device-code sign-in as the CLI does it: started on `start`, its portal steps (device page,
 * password, code, approval) each on the next replica of `portal`, redeemed on `redeem`.
 */
export async function deviceSignIn(
  set: ReplicaSet,
  start: Replica,
  portal: readonly [Replica, Replica, Replica, Replica],
  redeem: Replica,
  upn: string,
  password: string,
): Promise<Record<string, string>> {
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
}

/**
 * A refresh (rotating) on `replica`, for `resource`; with `dpopKey`, DPoP-bound to that key (a
 * Linux VM Sign-In token is issued only so: it certifies exactly the key it is bound to).
 */
export async function refreshOn(
  set: Pick<ReplicaSet, "ca" | "publicUrl">,
  replica: Pick<Replica, "url">,
  refreshToken: string,
  resource: string,
  scope: string,
  dpopKey?: KeyPair,
): Promise<Record<string, string>> {
  const request = form({
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    client_id: CLI_CLIENT_ID,
    resource,
    scope,
  });
  const headers: Record<string, string> = { ...request.headers };
  if (dpopKey)
    headers.dpop = await createKeyProof(dpopKey.privateKey, dpopKey.publicKey, {
      method: "POST",
      url: `${set.publicUrl}/oauth2/token`,
    });
  const r = await send(set, replica, "POST", "/oauth2/token", { headers, body: request.body });
  assert.equal(r.status, 200, r.body);
  return r.json<Record<string, string>>();
}

/** The management API with a bearer token, on the replica named per call. */
export function apiOn(set: ReplicaSet, token: () => string) {
  return (replica: Replica, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token()}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    return send(set, replica, method, path, {
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
}

/**
 * Signs in to the portal (`/portal/`), each request on the next replica of `route`; answers the
 * browser holding the session and how many requests the sign-in took.
 */
export async function portalSignIn(
  set: Pick<ReplicaSet, "ca" | "publicUrl">,
  route: readonly Pick<Replica, "url">[],
  upn: string,
  password: string,
): Promise<{ browser: ReplicaBrowser; requests: number; home: HttpReply }> {
  const browser = new ReplicaBrowser(set);
  const start = await browser.follow(route, "/portal/");
  assert.match(start.reply.body, /name="password"/, "not signed in: the sign-in page");
  const posted = await browser.request(
    route[start.hops % route.length] as Pick<Replica, "url">,
    "POST",
    "/portal/signin/password",
    {
      username: upn,
      password,
    },
  );
  const next = nextUrl(posted);
  assert.ok(next, `the password is taken: ${posted.status}`);
  const rotated: Pick<Replica, "url">[] = [
    ...route.slice((start.hops + 1) % route.length),
    ...route.slice(0, (start.hops + 1) % route.length),
  ];
  const home = await browser.follow(rotated, next);
  assert.equal(home.url.pathname, "/portal/", home.reply.body.slice(0, 500));
  assert.equal(home.reply.status, 200);
  return { browser, requests: start.hops + 1 + home.hops + 1, home: home.reply };
}

/** An agent's stream (the agent's own client code), and who may log in as it would hold it. */
export interface FollowedAgent {
  /** Object ids that may log in, after every event so far. */
  logins(): Set<string>;
  /** Resolves once `check` holds (polled every 5 ms); throws after `timeoutMs`. */
  waitFor(check: (logins: Set<string>) => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function followAgent(client: ServiceClient): FollowedAgent {
  const events: HostEvent[] = [];
  const controller = new AbortController();
  let failure: unknown;
  const reading = (async () => {
    try {
      for await (const e of client.stream(undefined, controller.signal))
        events.push({ type: e.type, ...JSON.parse(e.data) } as HostEvent);
    } catch (error) {
      if (!controller.signal.aborted) failure = error;
    }
  })();
  const logins = (): Set<string> => {
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
  return {
    logins,
    async waitFor(check, timeoutMs) {
      const t0 = performance.now();
      while (!check(logins())) {
        if (failure !== undefined) throw failure;
        if (performance.now() - t0 > timeoutMs)
          throw new Error(`not seen in ${timeoutMs} ms: ${JSON.stringify(events).slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      controller.abort();
      await reading;
    },
  };
}

/**
 * A host agent joined through the public URL (so its stream is held by the first replica) with
 * the agent's own code, in a scratch root: its service client, and `remove()` for the root.
 */
export async function joinAgent(
  set: ReplicaSet,
  code: string,
): Promise<{ client: ServiceClient; remove(): Promise<void> }> {
  const host = await makeScratchHost();
  try {
    const caFile = join(host.root, "service-ca.pem");
    await writeFile(caFile, set.ca);
    await joinService(host.paths, { server: set.publicUrl, code, caFile }, systemClock);
    const agentStore = await openAgentStore(host.paths);
    const config = (await agentStore.read<AgentConfig>(CONFIG_FILE)) as AgentConfig;
    const client = serviceClient({
      config,
      privateKeyPem: await readFile(join(agentStore.dir, KEY_FILE), "utf8"),
      caPem: set.ca,
      caFile,
      clock: systemClock,
    });
    return { client, remove: () => removeDir(host.root) };
  } catch (error) {
    await removeDir(host.root);
    throw error;
  }
}
