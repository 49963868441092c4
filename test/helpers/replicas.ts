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
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { cp, mkdir, readFile } from "node:fs/promises";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";
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

async function freePort(): Promise<number> {
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

/** Starts `count` replicas on a fresh schema (the first alone: it bootstraps the store). */
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
    replicas.push(await spawnReplica("A", args(0, `127.0.0.1:${port}`), env, timeoutMs));
    const ca = await readFile(join(root, "r0", "tls", "server-cert.pem"), "utf8");
    const others = Array.from({ length: count - 1 }, (_, k) => k + 1);
    for (const i of others) {
      await mkdir(join(root, `r${i}`), { recursive: true, mode: 0o700 });
      await cp(join(root, "r0", "tls"), join(root, `r${i}`, "tls"), { recursive: true });
    }
    const started = await Promise.all(
      others.map((i) => spawnReplica(String.fromCharCode(65 + i), args(i, "127.0.0.1:0"), env, timeoutMs)),
    );
    replicas.push(...started);
    const first = replicas[0]?.stdout() ?? "";
    const tenantId = /^tenant: \S+ \(([0-9a-f-]{36})\)/m.exec(first)?.[1] ?? "";
    const subscriptionId = /default subscription: ([0-9a-f-]{36})/.exec(first)?.[1] ?? "";
    const adminUpn = /^first administrator: (\S+)/m.exec(first)?.[1] ?? "admin@hostpass.local";
    return {
      replicas,
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
  replica: Replica,
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
    replica: Replica,
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
    route: readonly Replica[],
    target: string,
    stop: (url: URL) => boolean = () => false,
  ): Promise<{ reply: HttpReply; url: URL; hops: number }> {
    let url = new URL(target, this.#set.publicUrl);
    for (let hop = 0; hop < 30; hop++) {
      if (stop(url)) return { reply: this.last as HttpReply, url, hops: hop };
      const replica = route[hop % route.length] as Replica;
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
