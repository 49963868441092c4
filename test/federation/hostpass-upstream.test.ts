/**
 * A second, real `hostpass server` as the organisation's provider (issue 13): its administrator
 * gives a service principal a redirect URI (a web sign-in client); the first server registers it
 * with `hostpass idp add`; a user of the second signs in to the first through it in headless
 * Chromium (`hostpass login`, with the second server's own password page), lands with the mapped
 * name and the second server's group names, and gets a certificate.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import {
  addCertificateCredential,
  addClientSecret,
  addGroupMember,
  createGroup,
  createServicePrincipal,
  createUser,
  findUserByUpn,
  groupClosure,
  removeCredential,
} from "../../src/directory/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { typePassword } from "../e2e/browser.ts";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { launchChromium } from "../portal/helpers/chromium.ts";
import { startStoreServer } from "../server/store-server.ts";
import { cliLoginInBrowser } from "./browser-login.ts";

const caOf = (s: CliServer) => readFileSync(s.caFile, "utf8");

describe("a second hostpass server as the upstream provider", () => {
  let upstream: RunningServer;
  let upstreamDir = "";
  let s: CliServer;
  let browser: Browser;
  let app: { id: string; appId: string };
  let secretId = "";
  let providerId = "";
  const password = "una's long password 42";

  before(async () => {
    upstreamDir = await mkdtemp(join(tmpdir(), "hostpass-upstream-"));
    upstream = await startServer({
      dataDir: upstreamDir,
      listen: "127.0.0.1:0",
      adminPassword: "upstream admin password",
      logLevel: "silent",
    });
    s = await startCliServer();
    const tenantId = upstream.bootstrap.tenant.id;
    const dir = upstream.store.directory;
    const una = await createUser(dir, {
      tenantId,
      upn: "una@upstream.example",
      displayName: "Una",
      password,
    });
    const admins = await createGroup(dir, { tenantId, displayName: "Linux Admins" });
    await addGroupMember(dir, { tenantId, groupId: admins.id, memberId: una.id });
    app = await createServicePrincipal(dir, { tenantId, displayName: "hostpass downstream" });
    const { secret, credential } = await addClientSecret(dir, {
      tenantId,
      principalId: app.id,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    secretId = credential.id;
    const login = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(login.code, 0, login.err);
    const added = await s.cli([
      ...["idp", "add", "--name", "upstream", "--display-name", "Upstream hostpass"],
      ...["--issuer", `${upstream.url}/oauth2`, "--client-id", app.appId, "--client-secret", secret],
      ...["--scopes", "openid profile email groups", "--groups-claim", "groups", "--jit", "true"],
      ...["--ca-file", join(upstreamDir, "tls", "server-cert.pem")],
    ]);
    assert.equal(added.code, 0, added.err);
    const shown = JSON.parse(added.out) as { id: string; redirectUri: string };
    providerId = shown.id;
    assert.equal(shown.redirectUri, `${s.running.url}/portal/signin/federated/${providerId}/callback`);
    // The upstream's administrator registers the redirect URI `hostpass idp add` gave.
    await upstream.store.federation.setRedirectUris(tenantId, app.id, [shown.redirectUri]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await upstream?.close();
    await rm(upstreamDir, { recursive: true, force: true });
  });

  it("hostpass login through the other server: mapped name and groups, and a certificate", async () => {
    const login = await cliLoginInBrowser(s, browser, async (page) => {
      await Promise.all([
        page.waitForURL(/\/portal\/interaction\//),
        page.click(`a[href$='/signin/federated/${providerId}']`),
      ]);
      assert.ok(page.url().startsWith(upstream.url), page.url());
      await typePassword(page, "una@upstream.example", password);
      // An application that is not one of hostpass's own asks for consent, naming the groups scope.
      assert.match(
        (await page.textContent("body")) ?? "",
        /hostpass downstream asks to:[\s\S]*Read the names of your groups/,
      );
      await page.click("button[value=allow]");
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    });
    assert.equal(login.code, 0, login.err);
    const tenantId = s.running.bootstrap.tenant.id;
    const store = s.running.store;
    const una = await findUserByUpn(store.directory, tenantId, "una@upstream.example");
    assert.ok(una, "created just in time");
    assert.equal(una.displayName, "Una");
    const groups = await groupClosure(store.directory, tenantId, una.id);
    const names = (await store.directory.getPrincipals(tenantId, [...groups])).map((g) => g.displayName);
    assert.deepEqual(names, ["Linux Admins"]);
    const bound = await store.identityProviders.listFederatedIdentitiesOf(tenantId, una.id);
    assert.equal(bound[0]?.issuer, `${upstream.url}/oauth2`);
    const key = join(s.home, "una-key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const cert = await s.cli(["ssh", "cert", "--file", `${key}-cert.pub`, "--public-key-file", `${key}.pub`]);
    assert.equal(cert.code, 0, cert.err);
    assert.match(
      execFileSync("ssh-keygen", ["-L", "-f", `${key}-cert.pub`]).toString(),
      /una@upstream\.example/,
    );
    assert.ok((await readFile(`${key}-cert.pub`, "utf8")).startsWith("ssh-ed25519-cert-v01@openssh.com "));
  });

  it("private_key_jwt: hostpass makes the key, the provider registers its public half, no secret is used", async () => {
    const tenantId = upstream.bootstrap.tenant.id;
    assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
    const r = await s.cli(["idp", "update", "--name", "upstream", "--client-auth-method", "private_key_jwt"]);
    assert.equal(r.code, 0, r.err);
    const shown = JSON.parse(r.out);
    assert.equal(shown.clientAuthMethod, "private_key_jwt");
    const jwk = shown.signingKey.publicJwk as Record<string, string>;
    assert.equal(jwk.kty, "RSA");
    assert.equal(jwk.d, undefined, "never the private half");
    assert.equal(shown.jwksUri, `${s.running.url}/directory/identityProviders/${shown.id}/jwks`);
    // The JWKS URI answers anyone (the provider fetches it), with the same public key.
    const jwks = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(shown.jwksUri, { ca: caOf(s) }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => {
          body += c.toString();
        });
        res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(body))));
      });
      req.on("error", reject);
      req.end();
    });
    assert.deepEqual(JSON.parse(jwks), { keys: [jwk] });
    const tsv = await s.cli(["idp", "show", "--name", "upstream", "--query", "jwksUri", "-o", "tsv"]);
    assert.equal(tsv.out.trim(), shown.jwksUri);

    // `ad sp credential add-key` takes that key (here the JWKS document) for an application.
    const jwksFile = join(s.home, "downstream-jwks.json");
    writeFileSync(jwksFile, jwks);
    const local = await createServicePrincipal(s.running.store.directory, {
      tenantId: s.running.bootstrap.tenant.id,
      displayName: "key holder",
    });
    const addKey = await s.cli([
      "ad",
      "sp",
      "credential",
      "add-key",
      "--id",
      local.appId,
      "--jwk-file",
      jwksFile,
    ]);
    assert.equal(addKey.code, 0, addKey.err);
    assert.equal(JSON.parse(addKey.out).thumbprint, shown.signingKey.kid);

    // The upstream's administrator registers the public key and removes the client secret.
    await addCertificateCredential(upstream.store.directory, {
      tenantId,
      principalId: app.id,
      publicKeyJwk: jwk,
    });
    await removeCredential(upstream.store.directory, {
      tenantId,
      principalId: app.id,
      credentialId: secretId,
    });
    const login = await cliLoginInBrowser(s, browser, async (page) => {
      await page.click(`a[href$='/signin/federated/${providerId}']`);
      await page.waitForURL(/\/portal\/interaction\//).catch(async (e) => {
        throw new Error(`${page.url()}: ${(await page.textContent("body"))?.slice(0, 600)}`, { cause: e });
      });
      await typePassword(page, "una@upstream.example", password);
      // Consent was given in the first test; whether the page asks again is the provider's
      // business: answer it if it comes.
      const callback = /^http:\/\/127\.0\.0\.1:\d+\/callback\?/;
      const allow = page.locator("button[value=allow]");
      await Promise.race([allow.waitFor(), page.waitForURL(callback)]).catch(() => undefined);
      if ((await allow.count()) > 0) await allow.click();
      await page.waitForURL(callback).catch(async (e) => {
        throw new Error(`${page.url()}: ${(await page.textContent("body"))?.slice(0, 600)}`, { cause: e });
      });
    });
    assert.equal(login.code, 0, login.err);
    assert.equal(JSON.parse((await s.cli(["account", "show"])).out).user.name, "una@upstream.example");
  });
});

describe("redirect URIs of a web sign-in client (API)", () => {
  it("set, read back, refused when not https, and only on a service principal", async () => {
    const s = await startStoreServer();
    try {
      const sp = await s.app.inject({
        method: "POST",
        url: "/directory/servicePrincipals",
        headers: s.admin,
        payload: { displayName: "web app" },
      });
      assert.equal(sp.statusCode, 201, sp.body);
      const url = `/directory/servicePrincipals/${sp.json().id}/redirectUris`;
      const put = (redirectUris: string[]) =>
        s.app.inject({ method: "PUT", url, headers: s.admin, payload: { redirectUris } });
      assert.equal((await put(["https://app.example/cb", "http://127.0.0.1:8080/cb"])).statusCode, 200);
      const got = await s.app.inject({ method: "GET", url, headers: s.admin });
      assert.deepEqual(got.json().redirectUris, ["https://app.example/cb", "http://127.0.0.1:8080/cb"]);
      for (const bad of [
        "http://app.example/cb",
        "https://app.example/cb#x",
        "not a url",
        "https://u:p@app.example/",
      ]) {
        const r = await put([bad]);
        assert.equal(r.statusCode, 400, bad);
        assert.equal(r.json().error.code, "ERR_FEDERATION_INVALID_REDIRECT_URI");
      }
      const admin = s.boot.adminId;
      const onUser = await s.app.inject({
        method: "PUT",
        url: `/directory/servicePrincipals/${admin}/redirectUris`,
        headers: s.admin,
        payload: { redirectUris: [] },
      });
      assert.equal(onUser.statusCode, 404);
      assert.equal((await put([])).statusCode, 200);
      assert.deepEqual(
        (await s.app.inject({ method: "GET", url, headers: s.admin })).json().redirectUris,
        [],
      );
    } finally {
      await s.close();
    }
  });
});
