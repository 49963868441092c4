/**
 * Crash rounds against a real `hostpass server` child process (issue 11 item 10), shared by
 * `test/server/crash-recovery.test.ts` (a few rounds in CI) and `npm run bench -- crash` (50+).
 *
 * One round: a load of certificate issuances (each a fresh Ed25519 key, a DPoP-bound Linux VM
 * Sign-In token for that key from the real token endpoint, then `POST /ssh/certificates` with the
 * key's proof, as the CLI does) and of role changes (`PUT` / `DELETE` role assignments through the
 * API) runs until the server is killed with SIGKILL at a random moment; the server is started
 * again on the same data directory (or PostgreSQL schema) and the store is checked against what the
 * clients were told:
 *
 * - every certificate a client received is in the ledger (`ssh_certificates`, by serial);
 * - every ledger row has its activity-log event (`Ssh/certificates/issue`, details.serial) and
 *   every such event its ledger row;
 * - every role assignment the API acknowledged (201) is there unless its deletion was acknowledged;
 *   every acknowledged deletion stays deleted; every stored assignment has its `write` event,
 *   every assignment with a `write` event is either stored or has its `delete` event, and none
 *   with a `delete` event is still stored (a deletion the kill cut off went either way, whole);
 * - `hostpass audit verify` (the real CLI, on the server's store and key) passes;
 * - SQLite: `pragma integrity_check` is `ok`.
 *
 * Checks are cumulative over the rounds: a later crash must not lose what an earlier round was told.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createKeyProof } from "../../src/ca/index.ts";
import { addClientSecret, createServicePrincipal } from "../../src/directory/index.ts";
import { BUILT_IN_ROLE_IDS } from "../../src/rbac/index.ts";
import { loadOrCreateKek } from "../../src/server/keys/kek.ts";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair, parseCertificateText } from "../../src/ssh/index.ts";
import { openStore, sqliteUrlForDataDir } from "../../src/store/index.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const MAIN = join(ROOT, "src/cli/main.ts");

export interface CrashOptions {
  readonly rounds: number;
  /** `postgres://…?schema=<name>` (a schema of its own, dropped at the end); default: SQLite in the data directory. */
  readonly database?: string;
  /** Concurrent issuance loops. */
  readonly issuers?: number;
  /** Concurrent role-change loops (each creates and deletes assignments of its own assignee). */
  readonly roleWriters?: number;
  /** The kill comes uniformly at random in this window after the load starts, in ms. */
  readonly killWindowMs?: readonly [number, number];
  readonly log?: (line: string) => void;
}

export interface CrashReport {
  readonly rounds: number;
  readonly store: "SQLite" | "PostgreSQL";
  readonly certificatesReceived: number;
  readonly roleAssignmentsAcknowledged: number;
  readonly roleDeletionsAcknowledged: number;
  /** Requests whose answer the kill cut off (their outcome may go either way, but all or nothing). */
  readonly requestsCutOff: number;
  /** Non-2xx answers while the server was up (should be 0). */
  readonly failedBeforeKill: number;
  readonly losses: {
    readonly certificates: number;
    readonly roleAssignments: number;
    readonly deletionsUndone: number;
  };
  readonly ledgerRowsWithoutAudit: number;
  readonly auditEventsWithoutLedgerRow: number;
  readonly assignmentsWithoutAudit: number;
  readonly assignmentEventsWithoutOutcome: number;
  readonly ledgerRows: number;
  readonly auditEvents: number;
  readonly chain: { readonly ok: boolean; readonly headSeq: number | null; readonly failedRounds: number };
  readonly integrity: string;
  readonly killAfterMs: { readonly min: number; readonly max: number };
  readonly restartMs: { readonly median: number; readonly max: number };
  /** What a failed check found, first few (empty when everything held). */
  readonly problems: readonly string[];
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly stderr: () => string;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, "close");
  return port;
}

/** `hostpass server` as a child process; resolves once it listens. */
export async function startServerProcess(
  dataDir: string,
  port: number,
  database: string | undefined,
  extraEnv: NodeJS.ProcessEnv = {},
  wrap: readonly string[] = [],
): Promise<ServerProcess> {
  const argv = [
    process.execPath,
    MAIN,
    "server",
    "--listen",
    `127.0.0.1:${port}`,
    "--data-dir",
    dataDir,
    ...(database ? ["--database", database] : []),
  ];
  const [command, ...args] = [...wrap, ...argv] as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, HOSTPASS_ADMIN_PASSWORD: "crash test admin password", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`hostpass server exited (${code ?? signal}) before listening: ${err.slice(-4000)}`));
    child.once("exit", onExit);
    child.stdout?.on("data", (chunk: string) => {
      out += chunk;
      const m = /tenant: .* \(([0-9a-f-]{36})\), default subscription: ([0-9a-f-]{36})/.exec(out);
      if (/listening on https:\/\//.test(out) && m) {
        child.off("exit", onExit);
        resolve({ child, tenantId: m[1] as string, subscriptionId: m[2] as string, stderr: () => err });
      }
    });
  });
}

export async function killServer(server: ServerProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, "exit");
  server.child.kill(signal);
  await exited;
}

/** A minimal HTTPS client: status and body text; network errors reject. */
export function httpsCall(
  agent: Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { ...headers, ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        const retryAfter = res.headers["retry-after"];
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text, ...(retryAfter ? { retryAfter } : {}) }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** The stable code of an error answer: the API's `error.code` or OAuth's `error`. */
export function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { code?: string } | string };
    return typeof body.error === "string" ? body.error : body.error?.code;
  } catch {
    return undefined;
  }
}

export interface LoadClient {
  readonly baseUrl: string;
  readonly agent: Agent;
  readonly appId: string;
  readonly secret: string;
}

/** A DPoP-bound Linux VM Sign-In token for `key` (client credentials at the real token endpoint). */
export async function boundToken(
  client: LoadClient,
  key: ReturnType<typeof generateKeyPair>,
): Promise<{ status: number; token?: string; text: string }> {
  const tokenUrl = `${client.baseUrl}/oauth2/token`;
  const proof = await createKeyProof(key.privateKey, key.publicKey, { method: "POST", url: tokenUrl });
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: client.appId,
    client_secret: client.secret,
    resource: LINUX_VM_SIGN_IN_RESOURCE,
    scope: LINUX_VM_SIGN_IN_SCOPE,
  }).toString();
  const reply = await httpsCall(
    client.agent,
    tokenUrl,
    "POST",
    { "content-type": "application/x-www-form-urlencoded", dpop: proof },
    form,
  );
  if (reply.status !== 200) return { status: reply.status, text: reply.text };
  const body = JSON.parse(reply.text) as { access_token: string; token_type: string };
  if (body.token_type.toLowerCase() !== "dpop")
    throw new Error(`token is not DPoP-bound: ${body.token_type}`);
  return { status: 200, token: body.access_token, text: reply.text };
}

/** One issuance as the CLI makes it; the serial of the certificate received, or the failure. */
export async function issueOnce(
  client: LoadClient,
): Promise<{ status: number; serial?: bigint; code?: string; text: string }> {
  const key = generateKeyPair("ssh-ed25519");
  const token = await boundToken(client, key);
  if (token.token === undefined) return { status: token.status, text: token.text };
  const url = `${client.baseUrl}/ssh/certificates`;
  const proof = await createKeyProof(key.privateKey, key.publicKey, {
    method: "POST",
    url,
    accessToken: token.token,
  });
  const reply = await httpsCall(
    client.agent,
    url,
    "POST",
    { "content-type": "application/json", authorization: `DPoP ${token.token}`, dpop: proof },
    JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
  );
  if (reply.status !== 201) {
    const code = errorCode(reply.text);
    return { status: reply.status, ...(code ? { code } : {}), text: reply.text };
  }
  const body = JSON.parse(reply.text) as { certificate: string; serial: string };
  const certificate = parseCertificateText(body.certificate);
  if (certificate.serial.toString() !== body.serial)
    throw new Error("the answer's serial is not the certificate's");
  return { status: 201, serial: certificate.serial, text: "" };
}

/** The management API as a service principal (bearer token for urn:hostpass:api). */
export async function apiToken(client: LoadClient): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: client.appId,
    client_secret: client.secret,
    resource: "urn:hostpass:api",
    scope: "user_impersonation",
  }).toString();
  const reply = await httpsCall(
    client.agent,
    `${client.baseUrl}/oauth2/token`,
    "POST",
    { "content-type": "application/x-www-form-urlencoded" },
    form,
  );
  if (reply.status !== 200) throw new Error(`API token: ${reply.status} ${reply.text}`);
  return (JSON.parse(reply.text) as { access_token: string }).access_token;
}

export interface Fixture {
  readonly dataDir: string;
  readonly port: number;
  readonly database: string | undefined;
  readonly client: LoadClient;
  /** Per round, one assignee per role writer. */
  readonly assignees: readonly (readonly string[])[];
  readonly subscriptionId: string;
  readonly tenantId: string;
}

/** What the load's helpers need of a server on `port` (its principals from `setUpLoadPrincipals`). */
export function loadFixture(o: {
  readonly dataDir: string;
  readonly port: number;
  readonly database: string | undefined;
  readonly agent: Agent;
  readonly server: ServerProcess;
  readonly principals: { readonly appId: string; readonly secret: string; readonly assignees?: string[][] };
}): Fixture {
  return {
    dataDir: o.dataDir,
    port: o.port,
    database: o.database,
    client: {
      baseUrl: `https://127.0.0.1:${o.port}`,
      agent: o.agent,
      appId: o.principals.appId,
      secret: o.principals.secret,
    },
    assignees: o.principals.assignees ?? [],
    subscriptionId: o.server.subscriptionId,
    tenantId: o.server.tenantId,
  };
}

/** The load's principals, written through the store (another process may open the SQLite file). */
export async function setUpLoadPrincipals(
  dataDir: string,
  database: string | undefined,
  tenantId: string,
  writers: number,
  rounds: number,
): Promise<{ appId: string; secret: string; assignees: string[][] }> {
  const store = await openStore({
    url: database ?? sqliteUrlForDataDir(dataDir),
    keyEncryptionKey: await loadOrCreateKek(dataDir, {}),
  });
  try {
    const sp = await createServicePrincipal(store.directory, { tenantId, displayName: "crash-load" });
    const { secret } = await addClientSecret(store.directory, {
      tenantId,
      principalId: sp.id,
      expiresAt: new Date(Date.now() + 24 * 3600_000),
    });
    await store.rbac.createRoleAssignment({
      id: randomUUID(),
      tenantId,
      roleDefinitionId: BUILT_IN_ROLE_IDS.owner,
      principalId: sp.id,
      principalType: "ServicePrincipal",
      scope: "/",
      createdAt: new Date().toISOString(),
      createdBy: "crash-harness",
      description: "",
    });
    // Fresh assignees every round: an assignment whose deletion the kill cut off stays, and the
    // same role for the same assignee again would be refused as existing (409).
    const assignees: string[][] = [];
    for (let r = 0; r < rounds; r++) {
      const round: string[] = [];
      for (let i = 0; i < writers; i++)
        round.push(
          (
            await createServicePrincipal(store.directory, {
              tenantId,
              displayName: `crash-assignee-${r}-${i}`,
            })
          ).appId,
        );
      assignees.push(round);
    }
    return { appId: sp.appId, secret, assignees };
  } finally {
    await store.close();
  }
}

interface Ledger {
  readonly certificates: Set<string>;
  readonly created: Set<string>;
  readonly deleted: Set<string>;
  /** Deletions sent (acknowledged or not): one the kill cut off may have committed or not. */
  readonly deleteSent: Set<string>;
  cutOff: number;
  failed: number;
  readonly failures: string[];
}

async function runLoad(
  fixture: Fixture,
  round: number,
  ledger: Ledger,
  issuers: number,
  stopped: () => boolean,
): Promise<void> {
  const note = (what: string) => {
    if (stopped()) ledger.cutOff++;
    else {
      ledger.failed++;
      if (ledger.failures.length < 10) ledger.failures.push(what);
    }
  };
  const issue = async () => {
    while (!stopped()) {
      try {
        const r = await issueOnce(fixture.client);
        if (r.serial !== undefined) ledger.certificates.add(r.serial.toString());
        else note(`issuance ${r.status} ${r.text.slice(0, 200)}`);
      } catch (error) {
        note(`issuance: ${(error as Error).message}`);
      }
    }
  };
  let token: string;
  try {
    token = await apiToken(fixture.client);
  } catch (error) {
    note(`API token: ${(error as Error).message}`);
    return;
  }
  const sub = `/subscriptions/${fixture.subscriptionId}`;
  const roles = ["Reader", "Virtual Machine User Login", "Contributor"];
  const change = async (assignee: string, w: number) => {
    for (let i = 0; !stopped(); i++) {
      const id = randomUUID();
      const path = `${fixture.client.baseUrl}${sub}/providers/Authorization/roleAssignments/${id}`;
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      try {
        const put = await httpsCall(
          fixture.client.agent,
          path,
          "PUT",
          headers,
          JSON.stringify({ role: roles[(i + w) % roles.length], assignee }),
        );
        if (put.status !== 201) {
          note(`role assignment create ${put.status} ${put.text.slice(0, 200)}`);
          continue;
        }
        ledger.created.add(id);
        ledger.deleteSent.add(id);
        const del = await httpsCall(fixture.client.agent, path, "DELETE", {
          authorization: `Bearer ${token}`,
        });
        if (del.status === 200 || del.status === 204) ledger.deleted.add(id);
        else note(`role assignment delete ${del.status} ${del.text.slice(0, 200)}`);
      } catch (error) {
        note(`role change: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: issuers }, () => issue()),
    ...(fixture.assignees[round - 1] ?? []).map((a, w) => change(a, w)),
  ]);
}

/** Rows read straight from the database (not through the server). */
export interface StoredState {
  readonly serials: Set<string>;
  readonly issueEventSerials: Set<string>;
  readonly assignmentIds: Set<string>;
  readonly writeEvents: Set<string>;
  readonly deleteEvents: Set<string>;
  readonly auditEvents: number;
  readonly integrity: string;
}

export async function readStored(fixture: Fixture): Promise<StoredState> {
  const queries = {
    serials: "select cast(serial as text) as serial from ssh_certificates",
    events: "select action, target, result, details from audit_events",
    assignments: "select id from role_assignments",
  };
  let rows: Record<keyof typeof queries, Record<string, unknown>[]>;
  let integrity = "not checked (PostgreSQL)";
  if (fixture.database === undefined) {
    const db = new DatabaseSync(join(fixture.dataDir, "hostpass.db"), { readOnly: true });
    try {
      rows = {
        serials: db.prepare(queries.serials).all() as Record<string, unknown>[],
        events: db.prepare(queries.events).all() as Record<string, unknown>[],
        assignments: db.prepare(queries.assignments).all() as Record<string, unknown>[],
      };
      integrity = String(
        (db.prepare("pragma integrity_check").get() as Record<string, unknown>).integrity_check,
      );
    } finally {
      db.close();
    }
  } else {
    const url = new URL(fixture.database);
    const schema = url.searchParams.get("schema") as string;
    url.searchParams.delete("schema");
    const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
    await client.connect();
    try {
      rows = {
        serials: (await client.query(queries.serials)).rows,
        events: (await client.query(queries.events)).rows,
        assignments: (await client.query(queries.assignments)).rows,
      };
    } finally {
      await client.end();
    }
  }
  const issueEventSerials = new Set<string>();
  const writeEvents = new Set<string>();
  const deleteEvents = new Set<string>();
  for (const e of rows.events) {
    if (e.result !== "success") continue;
    const details = JSON.parse(String(e.details)) as { serial?: string; method?: string };
    if (e.action === "Ssh/certificates/issue" && details.serial) issueEventSerials.add(details.serial);
    const id = /\/roleAssignments\/([0-9a-f-]{36})$/.exec(String(e.target))?.[1];
    if (id && details.method === "PUT") writeEvents.add(id);
    if (id && details.method === "DELETE") deleteEvents.add(id);
  }
  return {
    serials: new Set(rows.serials.map((r) => String(r.serial))),
    issueEventSerials,
    assignmentIds: new Set(rows.assignments.map((r) => String(r.id))),
    writeEvents,
    deleteEvents,
    auditEvents: rows.events.length,
    integrity,
  };
}

/** `hostpass audit verify` (the real CLI) on the server's store. */
export async function auditVerify(
  fixture: Fixture,
): Promise<{ ok: boolean; headSeq: number | null; text: string }> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      "audit",
      "verify",
      "--data-dir",
      fixture.dataDir,
      ...(fixture.database ? ["--database", fixture.database] : []),
      "-o",
      "json",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (text += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (text += c));
  const [code] = (await once(child, "exit")) as [number | null];
  let headSeq: number | null = null;
  try {
    headSeq = (JSON.parse(text) as { headSeq?: number }).headSeq ?? null;
  } catch {
    // not JSON: a failure text
  }
  return { ok: code === 0, headSeq, text };
}

/**
 * Nothing a client received is lost: every serial a client got is in the ledger, ledger rows and
 * issuance events match both ways, and `hostpass audit verify` passes. Returns what was stored.
 */
export async function assertNothingLost(fixture: Fixture, received: readonly string[]): Promise<StoredState> {
  const stored = await readStored(fixture);
  assert.deepEqual(
    received.filter((s) => !stored.serials.has(s)),
    [],
  );
  assert.deepEqual(
    [...stored.serials].filter((s) => !stored.issueEventSerials.has(s)),
    [],
  );
  assert.deepEqual(
    [...stored.issueEventSerials].filter((s) => !stored.serials.has(s)),
    [],
  );
  const chain = await auditVerify(fixture);
  assert.ok(chain.ok, chain.text);
  return stored;
}

/** The server's RBAC engine reads the load's role (written beside it, in the store) within a second or so. */
export async function untilApiAllows(fixture: Fixture): Promise<void> {
  const token = await apiToken(fixture.client);
  const url = `${fixture.client.baseUrl}/subscriptions/${fixture.subscriptionId}/providers/Authorization/roleAssignments`;
  for (let attempt = 0; ; attempt++) {
    const reply = await httpsCall(fixture.client.agent, url, "GET", { authorization: `Bearer ${token}` });
    if (reply.status === 200) return;
    if (reply.status !== 403 || attempt > 100) throw new Error(`API: ${reply.status} ${reply.text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function countMissing(expected: Iterable<string>, present: Set<string>, label: string, problems: string[]) {
  let n = 0;
  for (const x of expected)
    if (!present.has(x)) {
      n++;
      const problem = `${label}: ${x}`;
      if (problems.length < 20 && !problems.includes(problem)) problems.push(problem);
    }
  return n;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[s.length >> 1] as number);
}

export async function runCrashRounds(options: CrashOptions): Promise<CrashReport> {
  const log = options.log ?? (() => {});
  const issuers = options.issuers ?? 6;
  const writers = options.roleWriters ?? 2;
  const [killMin, killMax] = options.killWindowMs ?? [150, 2500];
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-crash-"));
  const port = await freePort();
  const database = options.database;
  let server = await startServerProcess(dataDir, port, database);
  const caFile = join(dataDir, "tls", "server-cert.pem");
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: readFileSync(caFile) });
  const problems: string[] = [];
  const ledger: Ledger = {
    certificates: new Set(),
    created: new Set(),
    deleted: new Set(),
    deleteSent: new Set(),
    cutOff: 0,
    failed: 0,
    failures: [],
  };
  const kills: number[] = [];
  const restarts: number[] = [];
  let chainFailures = 0;
  let last: { stored: StoredState; chain: { ok: boolean; headSeq: number | null } } | undefined;
  const losses = { certificates: 0, roleAssignments: 0, deletionsUndone: 0 };
  let ledgerRowsWithoutAudit = 0;
  let auditEventsWithoutLedgerRow = 0;
  let assignmentsWithoutAudit = 0;
  let assignmentEventsWithoutOutcome = 0;
  try {
    const principals = await setUpLoadPrincipals(dataDir, database, server.tenantId, writers, options.rounds);
    const fixture = loadFixture({ dataDir, port, database, agent, server, principals });
    await untilApiAllows(fixture);
    for (let round = 1; round <= options.rounds; round++) {
      let stopped = false;
      const load = runLoad(fixture, round, ledger, issuers, () => stopped);
      const killAfter = Math.round(killMin + Math.random() * (killMax - killMin));
      kills.push(killAfter);
      await new Promise((r) => setTimeout(r, killAfter));
      stopped = true;
      await killServer(server);
      await load;
      // Connections to the dead server are gone; the next round opens new ones.
      agent.destroy();
      const t = performance.now();
      server = await startServerProcess(dataDir, port, database);
      restarts.push(performance.now() - t);
      const stored = await readStored(fixture);
      const chain = await auditVerify(fixture);
      last = { stored, chain };
      const before = problems.length;
      losses.certificates = countMissing(ledger.certificates, stored.serials, "certificate lost", problems);
      // Acknowledged and never sent for deletion (a deletion cut off by the kill may have committed).
      const live = [...ledger.created].filter((id) => !ledger.deleteSent.has(id));
      // An acknowledged create committed its row and its write event together: the event stays even
      // when a later deletion (perhaps cut off) removed the row, so a lost create shows here too.
      losses.roleAssignments =
        countMissing(live, stored.assignmentIds, "role assignment lost", problems) +
        countMissing(
          ledger.created,
          stored.writeEvents,
          "acknowledged role assignment without its event",
          problems,
        ) +
        countMissing(
          ledger.deleted,
          stored.deleteEvents,
          "acknowledged deletion without its event",
          problems,
        );
      losses.deletionsUndone = [...ledger.deleted].filter((id) => stored.assignmentIds.has(id)).length;
      ledgerRowsWithoutAudit = countMissing(
        stored.serials,
        stored.issueEventSerials,
        "ledger row without event",
        problems,
      );
      auditEventsWithoutLedgerRow = countMissing(
        stored.issueEventSerials,
        stored.serials,
        "issue event without ledger row",
        problems,
      );
      const ours = [...stored.assignmentIds].filter(
        (id) => stored.writeEvents.has(id) || ledger.created.has(id),
      );
      assignmentsWithoutAudit = countMissing(
        ours,
        stored.writeEvents,
        "assignment without write event",
        problems,
      );
      // All or nothing: an assignment is gone exactly when its deletion's event is there.
      assignmentEventsWithoutOutcome =
        [...stored.writeEvents].filter((id) => !stored.assignmentIds.has(id) && !stored.deleteEvents.has(id))
          .length + [...stored.deleteEvents].filter((id) => stored.assignmentIds.has(id)).length;
      if (!chain.ok) {
        chainFailures++;
        problems.push(`round ${round}: audit verify failed: ${chain.text.slice(0, 500)}`);
      }
      if (stored.integrity !== "ok" && database === undefined)
        problems.push(`integrity_check: ${stored.integrity}`);
      if (losses.deletionsUndone > 0)
        problems.push(`round ${round}: ${losses.deletionsUndone} deletions undone`);
      if (assignmentEventsWithoutOutcome > 0)
        problems.push(
          `round ${round}: ${assignmentEventsWithoutOutcome} assignments half-changed (a write event without row or delete event, or a delete event with the row still there)`,
        );
      log(
        `round ${round}: killed after ${killAfter} ms; certificates ${ledger.certificates.size}, ` +
          `assignments +${ledger.created.size}/-${ledger.deleted.size}, cut off ${ledger.cutOff}, ` +
          `restart ${Math.round(performance.now() - t)} ms, chain ${chain.ok ? "ok" : "BROKEN"} ` +
          `(head ${chain.headSeq})${problems.length > before ? `; ${problems.length - before} problems` : ""}`,
      );
    }
    if (ledger.failed > 0) problems.push(...ledger.failures.map((f) => `failed before the kill: ${f}`));
  } finally {
    agent.destroy();
    await killServer(server);
    await rm(dataDir, { recursive: true, force: true });
    if (database) await dropSchema(database);
  }
  return {
    rounds: options.rounds,
    store: database ? "PostgreSQL" : "SQLite",
    certificatesReceived: ledger.certificates.size,
    roleAssignmentsAcknowledged: ledger.created.size,
    roleDeletionsAcknowledged: ledger.deleted.size,
    requestsCutOff: ledger.cutOff,
    failedBeforeKill: ledger.failed,
    losses,
    ledgerRowsWithoutAudit,
    auditEventsWithoutLedgerRow,
    assignmentsWithoutAudit,
    assignmentEventsWithoutOutcome,
    ledgerRows: last?.stored.serials.size ?? 0,
    auditEvents: last?.stored.auditEvents ?? 0,
    chain: { ok: chainFailures === 0, headSeq: last?.chain.headSeq ?? null, failedRounds: chainFailures },
    integrity: last?.stored.integrity ?? "not checked",
    killAfterMs: { min: Math.min(...kills), max: Math.max(...kills) },
    restartMs: { median: Math.round(median(restarts)), max: Math.round(Math.max(...restarts)) },
    problems,
  };
}

export async function dropSchema(database: string): Promise<void> {
  const url = new URL(database);
  const schema = url.searchParams.get("schema");
  if (!schema) return;
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
