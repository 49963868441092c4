/**
 * `--issuance-workers`: a real `hostpass server` issuing on two worker threads over HTTPS. The
 * answers, the refusals (status, stable code) and the records are those of in-process issuance,
 * and a proof is single-use across the workers.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createKeyProof } from "../../src/ca/index.ts";
import { discover, signInServicePrincipal } from "../../src/cli/session/oauth.ts";
import { addClientSecret, createServicePrincipal } from "../../src/directory/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../../src/shared/well-known.ts";
import { formatPublicKey, generateKeyPair, parseCertificateText } from "../../src/ssh/index.ts";
import { postJson } from "../helpers/https-post.ts";

interface Reply {
  readonly certificate: string;
  readonly serial: string;
  readonly error?: { readonly code: string };
}

describe("issuance on worker threads", () => {
  let dataDir: string;
  let running: RunningServer;
  let agent: Agent;
  let endpoint: URL;
  let signIn: (key: ReturnType<typeof generateKeyPair>) => Promise<string>;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-workers-"));
    running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      adminPassword: "admin password for worker tests",
      logLevel: "silent",
      issuanceWorkers: 2,
    });
    const tenantId = running.bootstrap.tenant.id;
    const sp = await createServicePrincipal(running.store.directory, { tenantId, displayName: "workers" });
    const { secret } = await addClientSecret(running.store.directory, {
      tenantId,
      principalId: sp.id,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const caFile = join(dataDir, "tls", "server-cert.pem");
    const conn = await discover(running.url, caFile);
    // Linux VM Sign-In tokens are DPoP-bound: one per key to certify.
    signIn = async (key) =>
      (
        await signInServicePrincipal(
          conn,
          sp.appId,
          { secret },
          LINUX_VM_SIGN_IN_RESOURCE,
          LINUX_VM_SIGN_IN_SCOPE,
          key.privateKey,
        )
      ).access_token;
    agent = new Agent({ keepAlive: true, ca: readFileSync(caFile) });
    endpoint = new URL(`${running.publicUrl}/ssh/certificates`);
  });
  after(async () => {
    agent?.destroy();
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function post(
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; json: Reply }> {
    const answer = await postJson(agent, endpoint, headers, body);
    return { status: answer.status, json: JSON.parse(answer.text) as Reply };
  }

  async function signed(): Promise<{ headers: Record<string, string>; body: string }> {
    const key = generateKeyPair("ssh-ed25519");
    const token = await signIn(key);
    const dpop = await createKeyProof(key.privateKey, key.publicKey, {
      method: "POST",
      url: endpoint.href,
      accessToken: token,
    });
    return {
      headers: { authorization: `DPoP ${token}`, dpop },
      body: JSON.stringify({ publicKey: formatPublicKey(key.publicKey) }),
    };
  }

  test("issues concurrently; each certificate is in the ledger and the activity log", async () => {
    const requests = await Promise.all(Array.from({ length: 12 }, signed));
    const answers = await Promise.all(requests.map((r) => post(r.headers, r.body)));
    for (const { status, json } of answers) {
      assert.equal(status, 201, JSON.stringify(json));
      const cert = parseCertificateText(json.certificate);
      assert.equal(cert.serial.toString(), json.serial);
      assert.ok(await running.store.certificates.get(BigInt(json.serial)), "in the ledger");
    }
    const events = await running.store.audit.query(
      { tenantId: running.bootstrap.tenant.id, action: "Ssh/certificates/issue" },
      { limit: 100 },
    );
    for (const { json } of answers)
      assert.ok(events.items.some((e) => e.details.serial === json.serial && e.result === "success"));
  });

  test("refusals keep their status and stable code; a proof is single-use across workers", async () => {
    const r = await signed();
    const both = await Promise.all([post(r.headers, r.body), post(r.headers, r.body)]);
    assert.deepEqual(both.map((a) => a.status).sort(), [201, 401]);
    assert.equal(both.find((a) => a.status === 401)?.json.error?.code, "ERR_CA_PROOF_INVALID");
    const other = await signed();
    const badToken = await post({ ...other.headers, authorization: "DPoP not-a-token" }, other.body);
    assert.equal(badToken.status, 401);
    const none = await post({ dpop: other.headers.dpop as string }, other.body);
    assert.equal(none.status, 401);
    assert.equal(none.json.error?.code, "ERR_CA_PROOF_INVALID");
  });
});
