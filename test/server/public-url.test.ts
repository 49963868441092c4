/**
 * `--public-url` and `--trusted-proxy` on a real `startServer` over HTTPS: everything the service
 * names about itself comes from the configured URL, never from a hostile `Host`; CORS reflects no
 * origin; X-Forwarded-For is believed from trusted proxies only.
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { rm } from "node:fs/promises";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import { connect } from "node:tls";
import { addClientSecret, createServicePrincipal } from "../../src/directory/index.ts";
import { parsePublicUrl } from "../../src/server/public-url.ts";
import { type RunningServer, startServer } from "../../src/server/start-server.ts";
import { tempDir } from "./helpers.ts";

const PUBLIC = "https://hostpass.test:9443";

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** HTTPS to the listening address, with any headers (Host included); the certificate is not checked here. */
function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function servicePrincipalSecret(running: RunningServer): Promise<{ appId: string; secret: string }> {
  const tenantId = running.bootstrap.tenant.id;
  const sp = await createServicePrincipal(running.store.directory, { tenantId, displayName: "robot" });
  const expiresAt = new Date(Date.now() + 3600_000);
  const { secret } = await addClientSecret(running.store.directory, {
    tenantId,
    principalId: sp.id,
    expiresAt,
  });
  return { appId: sp.appId, secret };
}

/** A client-credentials sign-in sent with a forged X-Forwarded-For; returns the address the sign-in log recorded. */
async function loggedAddress(running: RunningServer): Promise<string | undefined> {
  const { appId, secret } = await servicePrincipalSecret(running);
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: appId,
    client_secret: secret,
    resource: "urn:hostpass:api",
    scope: "user_impersonation",
  });
  const headers = {
    "content-type": "application/x-www-form-urlencoded",
    "x-forwarded-for": "203.0.113.9",
  };
  const answer = await call(`${running.url}/oauth2/token`, "POST", headers, form.toString());
  assert.equal(answer.status, 200, answer.body);
  const page = await running.store.signInLog.query(
    { tenantId: running.bootstrap.tenant.id, appId },
    { limit: 10 },
  );
  return page.items[0]?.ip;
}

describe("parsePublicUrl", () => {
  it("takes an https origin and keeps its host and port", () => {
    const u = parsePublicUrl("https://Hostpass.Example:8443");
    assert.equal(u.origin, "https://hostpass.example:8443");
    assert.equal(u.hostname, "hostpass.example");
    assert.equal(u.host, "hostpass.example:8443");
    assert.equal(parsePublicUrl("https://[fd00::1]/").host, "[fd00::1]");
    assert.equal(parsePublicUrl("http://127.0.0.1:8080").protocol, "http:");
  });

  it("refuses anything that is not a bare origin clients can reach", () => {
    for (const bad of [
      "hostpass.example",
      "ftp://hostpass.example",
      "https://user:pw@hostpass.example",
      "https://hostpass.example/prefix",
      "https://hostpass.example/?x=1",
      "https://hostpass.example/#frag",
      "https://0.0.0.0:8443",
      "https://[::]:8443",
      "http://hostpass.example",
      "https://host_name.example",
    ]) {
      assert.throws(() => parsePublicUrl(bad), { code: "ERR_SERVER_CONFIG" }, bad);
    }
  });
});

describe("hostpass server --public-url (real HTTPS)", () => {
  let dataDir: string;
  let running: RunningServer;
  before(async () => {
    dataDir = await tempDir("hostpass-public-url-");
    running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      publicUrl: PUBLIC,
      adminPassword: "correct horse battery staple",
      logLevel: "silent",
    });
  });
  after(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("publishes discovery from the public URL whatever Host the caller sends", async () => {
    assert.equal(running.publicUrl, PUBLIC);
    for (const host of ["evil.example", "127.0.0.1", "hostpass.test:1"]) {
      const answer = await call(`${running.url}/oauth2/.well-known/openid-configuration`, "GET", {
        host,
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "http",
      });
      assert.equal(answer.status, 200, answer.body);
      const metadata = JSON.parse(answer.body) as Record<string, unknown>;
      assert.equal(metadata.issuer, `${PUBLIC}/oauth2`);
      const urls = Object.entries(metadata).filter(([k]) => k.endsWith("endpoint") || k.endsWith("_uri"));
      assert.ok(urls.length >= 5, "discovery lists its endpoints");
      for (const [name, value] of urls)
        assert.ok(String(value).startsWith(`${PUBLIC}/oauth2/`), `${name}: ${value}`);
    }
  });

  it("makes the TLS certificate name the public host (made by the library, not openssl)", async () => {
    const pem = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(running.url);
      const socket = connect({ host: "127.0.0.1", port: Number(port), rejectUnauthorized: false }, () => {
        const der = socket.getPeerCertificate().raw;
        socket.end();
        resolve(new X509Certificate(der).toString());
      });
      socket.on("error", reject);
    });
    const cert = new X509Certificate(pem);
    assert.ok(cert.checkHost("hostpass.test"), cert.subjectAltName);
    assert.ok(cert.checkIP("127.0.0.1"));
    assert.equal(cert.checkHost("evil.example"), undefined);
  });

  it("reflects no origin: open documents get *, the token endpoint and the API none", async () => {
    const origin = { origin: "https://evil.example" };
    const discovery = await call(`${running.url}/oauth2/.well-known/openid-configuration`, "GET", origin);
    assert.equal(discovery.headers["access-control-allow-origin"], "*");
    const preflight = await call(`${running.url}/oauth2/token`, "OPTIONS", {
      ...origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    assert.equal(preflight.headers["access-control-allow-origin"], undefined);
    assert.equal(preflight.headers["access-control-allow-headers"], undefined);
    const token = await call(
      `${running.url}/oauth2/token`,
      "POST",
      { ...origin, "content-type": "application/x-www-form-urlencoded" },
      "grant_type=client_credentials&client_id=nobody",
    );
    assert.equal(token.headers["access-control-allow-origin"], undefined);
    const api = await call(`${running.url}/healthz`, "GET", origin);
    assert.equal(api.status, 200);
    assert.equal(api.headers["access-control-allow-origin"], undefined);
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    assert.equal(await loggedAddress(running), "127.0.0.1");
  });
});

describe("hostpass server --trusted-proxy", () => {
  it("believes X-Forwarded-For from a trusted proxy (the sign-in log records the client)", async () => {
    const dataDir = await tempDir("hostpass-proxy-");
    const running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      trustedProxies: ["127.0.0.0/8"],
      adminPassword: "correct horse battery staple",
      logLevel: "silent",
    });
    try {
      assert.equal(await loggedAddress(running), "203.0.113.9");
    } finally {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a bad proxy, a wildcard listen without a public URL, and https public URL over plain HTTP", async () => {
    const dataDir = await tempDir("hostpass-config-");
    try {
      const base = { dataDir, adminPassword: "x", logLevel: "silent" as const };
      await assert.rejects(startServer({ ...base, listen: "127.0.0.1:0", trustedProxies: ["10.0.0.0/33"] }), {
        code: "ERR_SERVER_CONFIG",
      });
      await assert.rejects(startServer({ ...base, listen: "0.0.0.0:0" }), { code: "ERR_SERVER_CONFIG" });
      await assert.rejects(
        startServer({ ...base, listen: "127.0.0.1:0", insecureHttp: true, publicUrl: PUBLIC }),
        { code: "ERR_SERVER_CONFIG" },
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  // Node's recursive mkdir spins forever on a path under /proc (shared/make-directory.ts): the
  // data directory, its tls/ and keys/ are made with makeDirectory, which answers ENOENT at once.
  it("a data directory that cannot be made: ENOENT at once, no hang", { timeout: 10_000 }, async () => {
    await assert.rejects(
      startServer({ dataDir: "/proc/hostpass-nope/data", listen: "127.0.0.1:0", logLevel: "silent" }),
      { code: "ENOENT" },
    );
  });
});
