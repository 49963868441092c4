/**
 * Issue 11 item 11: PostgreSQL restarted under a running `hostpass server` (a child process) and a
 * load of DPoP-bound issuances. The cluster is the test's own (test/helpers/throwaway-postgres.ts),
 * stopped once cleanly (`pg_ctl stop -m fast`: sessions get 57P01) and once like a crash
 * (`-m immediate`: connections just drop). While it is down, requests fail clearly (503
 * `ERR_STORE_UNAVAILABLE`, the OAuth token endpoint 503 `temporarily_unavailable`), the service
 * keeps running, and once the database is back requests succeed again without restarting the
 * service. Nothing a client received is lost; the activity log still verifies.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createKeyProof } from "../../src/ca/index.ts";
import { formatPublicKey, generateKeyPair } from "../../src/ssh/index.ts";
import { type CliRun, runCliCaptured } from "../helpers/cli.ts";
import {
  apiToken,
  assertNothingLost,
  boundToken,
  errorCode,
  type Fixture,
  freePort,
  httpsCall,
  issueOnce,
  killServer,
  loadFixture,
  type ServerProcess,
  setUpLoadPrincipals,
  startServerProcess,
  untilApiAllows,
} from "../helpers/crash-harness.ts";
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresUnsupported,
} from "../helpers/throwaway-postgres.ts";

const skip = throwawayPostgresUnsupported();

interface Outcome {
  readonly phase: "up" | "down" | "back";
  readonly status: number;
  readonly code?: string;
  readonly serial?: string;
  readonly network?: string;
}

describe("PostgreSQL restarted under load", { skip }, () => {
  let cluster: ThrowawayPostgres;
  let dataDir: string;
  let server: ServerProcess;
  let fixture: Fixture;
  let agent: Agent;
  let home: string;
  let cli: (args: string[]) => Promise<CliRun>;

  before(async () => {
    cluster = await startThrowawayPostgres();
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-pg-restart-"));
    const database = `${cluster.url}?schema=hostpass`;
    const port = await freePort();
    server = await startServerProcess(dataDir, port, database);
    agent = new Agent({ keepAlive: true, ca: readFileSync(join(dataDir, "tls", "server-cert.pem")) });
    const principals = await setUpLoadPrincipals(dataDir, database, server.tenantId, 1, 1);
    fixture = loadFixture({ dataDir, port, database, agent, server, principals });
    await untilApiAllows(fixture);
    // The real CLI, signed in as the load's service principal (its own HOME and config directory).
    home = await mkdtemp(join(tmpdir(), "hostpass-pg-restart-cli-"));
    const env = { ...process.env, HOME: home, HOSTPASS_CONFIG_DIR: join(home, ".hostpass") };
    cli = (args) => runCliCaptured(args, env);
    const caFile = join(dataDir, "tls", "server-cert.pem");
    for (const args of [
      ["cloud", "register", "-n", "pg", "--endpoint", fixture.client.baseUrl, "--ca-file", caFile],
      ["cloud", "set", "-n", "pg"],
      [
        "login",
        "--service-principal",
        "-u",
        principals.appId,
        "-p",
        principals.secret,
        "--tenant",
        server.tenantId,
      ],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 0, r.err);
    }
  });

  after(async () => {
    agent?.destroy();
    if (server) await killServer(server, "SIGTERM");
    await cluster?.destroy();
    for (const d of [dataDir, home]) if (d) await rm(d, { recursive: true, force: true });
  });

  for (const mode of ["fast", "immediate"] as const) {
    test(`pg_ctl stop -m ${mode}: 503 ERR_STORE_UNAVAILABLE while down, served again once it is back, nothing lost`, async () => {
      const outcomes: Outcome[] = [];
      let phase: Outcome["phase"] = "up";
      let done = false;
      const loop = async () => {
        while (!done) {
          try {
            const r = await issueOnce(fixture.client);
            const code = r.code ?? errorCode(r.text);
            outcomes.push({
              phase,
              status: r.status,
              ...(code ? { code } : {}),
              ...(r.serial !== undefined ? { serial: r.serial.toString() } : {}),
            });
          } catch (error) {
            outcomes.push({ phase, status: 0, network: (error as Error).message });
          }
          if (phase === "down") await new Promise((r) => setTimeout(r, 50));
        }
      };
      const load = Promise.all([loop(), loop(), loop()]);
      try {
        await new Promise((r) => setTimeout(r, 1500));
        // A token and proof made while the database is up, presented while it is down: the
        // certificate endpoint itself must answer 503.
        const key = generateKeyPair("ssh-ed25519");
        const token = await boundToken(fixture.client, key);
        assert.equal(token.status, 200, token.text);
        const api = await apiToken(fixture.client);

        phase = "down";
        await cluster.stop(mode);
        await new Promise((r) => setTimeout(r, 2500));
        const url = `${fixture.client.baseUrl}/ssh/certificates`;
        const certificate = await httpsCall(
          agent,
          url,
          "POST",
          {
            "content-type": "application/json",
            authorization: `DPoP ${token.token}`,
            dpop: await createKeyProof(key.privateKey, key.publicKey, {
              method: "POST",
              url,
              accessToken: token.token as string,
            }),
          },
          JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
        );
        assert.equal(certificate.status, 503, certificate.text);
        assert.equal(errorCode(certificate.text), "ERR_STORE_UNAVAILABLE");
        const assignment = await httpsCall(
          agent,
          `${fixture.client.baseUrl}/subscriptions/${fixture.subscriptionId}/providers/Authorization/roleAssignments/${crypto.randomUUID()}`,
          "PUT",
          { authorization: `Bearer ${api}`, "content-type": "application/json" },
          JSON.stringify({ role: "Reader", assignee: fixture.assignees[0]?.[0] }),
        );
        assert.equal(assignment.status, 503, assignment.text);
        assert.equal(errorCode(assignment.text), "ERR_STORE_UNAVAILABLE");
        assert.equal(server.child.exitCode, null, `the service exited: ${server.stderr().slice(-3000)}`);
        if (mode === "fast") {
          // What a user sees: the stable code and a plain reason, exit code 8 (unavailable).
          const list = await cli(["role", "assignment", "list"]);
          assert.equal(list.code, 8, list.err);
          assert.match(
            list.err,
            /\(ERR_STORE_UNAVAILABLE\) the service cannot reach its database; try again shortly/,
          );
          const cert = await cli(["ssh", "cert", "--file", join(home, "cert.pub")]);
          assert.equal(cert.code, 8, cert.err);
          assert.match(cert.err, /HTTP 503\): temporarily_unavailable/);
        }

        phase = "back";
        const restarted = performance.now();
        await cluster.start();
        let recoveredMs: number | undefined;
        for (let i = 0; i < 300 && recoveredMs === undefined; i++) {
          await new Promise((r) => setTimeout(r, 100));
          if (outcomes.some((o) => o.phase === "back" && o.status === 201))
            recoveredMs = performance.now() - restarted;
        }
        assert.ok(recoveredMs !== undefined, "no issuance succeeded within 30 s of the database's return");
        await new Promise((r) => setTimeout(r, 1000));
      } finally {
        done = true;
        await load;
      }
      assert.equal(server.child.exitCode, null, `the service exited: ${server.stderr().slice(-3000)}`);
      // Every answer was an answer: no connection reset, no hang.
      assert.deepEqual(
        outcomes.filter((o) => o.network !== undefined),
        [],
      );
      const during = outcomes.filter((o) => o.phase === "down");
      assert.ok(during.length > 0, "no request reached the service while the database was down");
      for (const o of during.filter((o) => o.status !== 201))
        assert.ok(
          o.status === 503 && (o.code === "ERR_STORE_UNAVAILABLE" || o.code === "temporarily_unavailable"),
          `while down: ${JSON.stringify(o)}`,
        );
      assert.ok(outcomes.some((o) => o.phase === "up" && o.status === 201));
      assert.ok(outcomes.some((o) => o.phase === "back" && o.status === 201));
      // Nothing lost: each certificate received is in the ledger with its event; the chain verifies.
      await assertNothingLost(
        fixture,
        outcomes.flatMap((o) => (o.serial ? [o.serial] : [])),
      );
    });
  }
});
