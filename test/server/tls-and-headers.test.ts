/**
 * Transport and response hardening on a real `hostpass server` over HTTPS (issue 11 item 9): TLS
 * 1.3, or 1.2 with ECDHE AEAD suites only (older versions, CBC suites refused by the handshake),
 * and the security headers on every kind of response: API, authorization server, portal, CA
 * routes, errors.
 */
import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ConnectionOptions, connect, type TLSSocket } from "node:tls";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { SECURITY_HEADERS } from "../../src/server/plugins/security-headers.ts";
import { tempDir } from "./helpers.ts";

describe("TLS and security headers on the real server", () => {
  let dataDir: string;
  let running: RunningServer;
  let ca: string;
  let port: number;
  before(async () => {
    dataDir = await tempDir("hostpass-tls-");
    running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      adminPassword: "tls test password",
      logLevel: "silent",
    });
    ca = await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8");
    port = Number(new URL(running.url).port);
  });
  after(async () => {
    await running?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A handshake with the client's offer narrowed to `options`: the negotiated version and suite, or the error. */
  function handshake(options: ConnectionOptions) {
    return new Promise<{ version: string | null; cipher: string } | { error: string }>((resolve) => {
      const socket: TLSSocket = connect(
        { host: "127.0.0.1", port, ca, servername: undefined, ...options },
        () => {
          resolve({ version: socket.getProtocol(), cipher: socket.getCipher().name });
          socket.end();
        },
      );
      socket.on("error", (error) =>
        resolve({ error: String((error as NodeJS.ErrnoException).code ?? error) }),
      );
    });
  }

  it("speaks TLS 1.3", async () => {
    const result = await handshake({ minVersion: "TLSv1.3" });
    assert.ok("version" in result, JSON.stringify(result));
    assert.equal(result.version, "TLSv1.3");
  });

  it("speaks TLS 1.2 with an ECDHE AEAD suite, its own choice first", async () => {
    const result = await handshake({ maxVersion: "TLSv1.2" });
    assert.ok("version" in result, JSON.stringify(result));
    assert.equal(result.version, "TLSv1.2");
    assert.match(result.cipher, /^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    for (const cipher of ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"]) {
      const one = await handshake({ maxVersion: "TLSv1.2", ciphers: cipher });
      assert.ok("cipher" in one && one.cipher === cipher, `${cipher}: ${JSON.stringify(one)}`);
    }
  });

  const refused: Array<[string, ConnectionOptions]> = [
    ["TLS 1.1", { minVersion: "TLSv1.1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" }],
    ["TLS 1.0", { minVersion: "TLSv1", maxVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" }],
    [
      "TLS 1.2 with CBC and SHA-256 (ECDHE-ECDSA-AES128-SHA256)",
      { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-SHA256" },
    ],
    [
      "TLS 1.2 with CBC and SHA-1 (ECDHE-ECDSA-AES256-SHA)",
      { maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES256-SHA" },
    ],
    [
      "TLS 1.2 without forward secrecy (AES128-GCM-SHA256)",
      { maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" },
    ],
  ];
  for (const [what, options] of refused) {
    it(`refuses ${what}`, async () => {
      const result = await handshake(options);
      assert.ok("error" in result, `negotiated ${JSON.stringify(result)}`);
    });
  }

  function fetchHeaders(method: string, path: string, body?: string, type?: string) {
    return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>(
      (resolve, reject) => {
        const req = httpsRequest(
          { host: "127.0.0.1", port, path, method, ca, headers: type ? { "content-type": type } : {} },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          },
        );
        req.on("error", reject);
        req.end(body);
      },
    );
  }

  const responses: Array<[string, string, string, string?, string?]> = [
    ["the API, refused without a token", "GET", "/me"],
    ["the API's public key set", "GET", "/.well-known/jwks.json"],
    ["a route that does not exist", "GET", "/no/such/route"],
    ["an API body that is not JSON", "POST", "/directory/users", "{", "application/json"],
    ["the authorization server's discovery", "GET", "/oauth2/.well-known/openid-configuration"],
    [
      "the authorization server's token endpoint, with an error",
      "POST",
      "/oauth2/token",
      "grant_type=nope",
      "application/x-www-form-urlencoded",
    ],
    ["an authorization request without parameters (an HTML error page)", "GET", "/oauth2/auth"],
    ["the portal's sign-in page", "GET", "/portal/"],
    ["the CA's public keys", "GET", "/ssh/ca"],
    ["a certificate request without a token", "POST", "/ssh/certificates", "{}", "application/json"],
  ];
  for (const [what, method, path, body, type] of responses) {
    it(`sends the security headers with ${what}`, async () => {
      const { status, headers } = await fetchHeaders(method, path, body, type);
      assert.ok(status >= 200 && status < 600, String(status));
      for (const name of [
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "content-security-policy",
      ]) {
        assert.equal(typeof headers[name], "string", `${name} missing (status ${status})`);
      }
      assert.equal(headers["x-content-type-options"], "nosniff");
      assert.equal(headers["strict-transport-security"], "max-age=31536000");
      assert.match(String(headers["content-security-policy"]), /frame-ancestors 'none'/);
      assert.equal(headers["cross-origin-opener-policy"], SECURITY_HEADERS["cross-origin-opener-policy"]);
    });
  }
});
