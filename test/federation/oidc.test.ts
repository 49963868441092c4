/**
 * Upstream OpenID Connect federation (issue 13) through a real `hostpass server`: the
 * administrator registers the organisation's provider with the CLI; a user signs in through it in
 * headless Chromium (`hostpass login`, and with the device code), lands with the mapped name and
 * groups, and gets a certificate. Hostile providers and replays are refused with clear errors,
 * without a browser (the same redirects, followed by hand with the browser's cookies).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { createUser, findUserByUpn, groupClosure } from "../../src/directory/index.ts";
import { enrollTotp, totpCodeAt } from "../../src/mfa/index.ts";
import { putPolicy } from "../../src/policy/index.ts";
import { withBrowserContext } from "../e2e/browser.ts";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { launchChromium, submit } from "../portal/helpers/chromium.ts";
import { certificateOf, cliLoginInBrowser } from "./browser-login.ts";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstream.ts";
import { type Answer, get, scimCreateUser, toCallback } from "./round-trip.ts";

describe("sign-in through an upstream OpenID Connect provider", () => {
  let s: CliServer;
  let upstream: FakeUpstream;
  let browser: Browser;
  let serverCa = "";
  let caBoth = new Map<string, string>();
  /** Provider ids by name: the sign-in page and the callback name a provider by its id. */
  const ids = new Map<string, string>();
  const link = (name: string) => `a[href$='/signin/federated/${ids.get(name)}']`;

  const json = async (args: string[]) => {
    const r = await s.cli(args);
    assert.equal(r.code, 0, `${args.join(" ")}\n${r.err}`);
    return r.out.trim() === "" ? undefined : JSON.parse(r.out);
  };

  /** The browser's redirects, by hand: portal sign-in page → provider → callback. */
  async function roundTrip(
    provider = "contoso",
  ): Promise<{ callback: Answer; callbackUrl: string; cookies: Map<string, string> }> {
    const cookies = new Map<string, string>();
    const callbackUrl = await toCallback(s.running.url, ids.get(provider) ?? "", caBoth, cookies);
    // The browser's cookies as they were when it came back (to replay the callback with them).
    const before = new Map(cookies);
    return { callback: await get(callbackUrl, caBoth, cookies), callbackUrl, cookies: before };
  }

  before(async () => {
    upstream = await startFakeUpstream();
    s = await startCliServer();
    serverCa = await readFile(s.caFile, "utf8");
    caBoth = new Map([
      [new URL(s.running.url).origin, serverCa],
      [upstream.issuer, upstream.ca],
    ]);
    const caFile = join(s.home, "upstream-ca.pem");
    await writeFile(caFile, upstream.ca);
    const login = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(login.code, 0, login.err);
    /** `hostpass idp add` for the test provider, with `extra` settings. */
    const addProvider = (name: string, extra: string[]) =>
      json([
        ...["idp", "add", "--name", name, "--issuer", upstream.issuer, "--client-id", upstream.clientId],
        ...["--client-secret", upstream.clientSecret, "--jit", "true", "--ca-file", caFile, ...extra],
      ]);
    const added = await addProvider("contoso", [
      ...["--display-name", "Contoso", "--groups-claim", "groups"],
      ...["--allowed-domains", "contoso.example"],
    ]);
    ids.set("contoso", added.id);
    assert.equal(added.redirectUri, `${s.running.url}/portal/signin/federated/${added.id}/callback`);
    assert.equal(added.clientSecretSet, true);
    assert.equal(added.clientSecret, undefined);
    const shown = await json(["idp", "show", "--name", "contoso"]);
    assert.equal(shown.issuer, upstream.issuer);
    assert.deepEqual(
      (await json(["idp", "list"])).map((p: { name: string }) => p.name),
      ["contoso"],
    );
    // The same provider, mapping the email claim (for the email_verified case), without JIT groups.
    ids.set("mailer", (await addProvider("mailer", ["--username-claim", "email"])).id);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await upstream?.close();
  });

  it("hostpass login in Chromium through the provider: the user lands with its name and groups, and gets a certificate", async () => {
    upstream.misbehave = {};
    upstream.user = {
      sub: "00u-dana",
      preferred_username: "dana@contoso.example",
      name: "Dana Scully",
      email: "dana@contoso.example",
      email_verified: true,
      groups: ["linux-admins", "devs"],
    };
    const login = await cliLoginInBrowser(s, browser, async (page) => {
      await Promise.all([
        page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/),
        page.click(link("contoso")),
      ]);
    });
    assert.equal(login.code, 0, login.err);
    const account = await json(["account", "show"]);
    assert.equal(account.user.name, "dana@contoso.example");
    const store = s.running.store;
    const tenantId = s.running.bootstrap.tenant.id;
    const dana = await findUserByUpn(store.directory, tenantId, "dana@contoso.example");
    assert.ok(dana);
    assert.equal(dana.linuxName, "dana@contoso.example");
    assert.equal(dana.displayName, "Dana Scully");
    const bound = await store.identityProviders.listFederatedIdentitiesOf(tenantId, dana.id);
    assert.deepEqual(
      bound.map((b) => [b.issuer, b.subject]),
      [[upstream.issuer, "00u-dana"]],
    );
    const groups = await groupClosure(store.directory, tenantId, dana.id);
    const names = (await store.directory.getPrincipals(tenantId, [...groups]))
      .map((g) => g.displayName)
      .sort();
    assert.deepEqual(names, ["devs", "linux-admins"]);
    // A certificate for the federated user: principal = its Linux name.
    const shown = await certificateOf(s, "dana-key");
    assert.match(shown, /Principals: \n\s+dana@contoso\.example\n/);

    // The next sign-in syncs the groups claim: out of devs, into ops; linux-admins stays.
    upstream.user = { ...upstream.user, groups: ["linux-admins", "ops"] };
    const again = await roundTrip();
    assert.equal(again.callback.status, 303, again.callback.body);
    const after = await groupClosure(store.directory, tenantId, dana.id);
    const now = (await store.directory.getPrincipals(tenantId, [...after])).map((g) => g.displayName).sort();
    assert.deepEqual(now, ["linux-admins", "ops"]);
  });

  it("the device code: signed in at the provider in Chromium, approved, the CLI signed in", async () => {
    upstream.misbehave = {};
    upstream.user = { sub: "00u-fox", preferred_username: "fox@contoso.example", name: "Fox", groups: [] };
    let done: Promise<unknown> = Promise.resolve();
    let started = false;
    const login = await s.cli(["login", "--use-device-code"], (err) => {
      const m = /open the page (\S+) and enter the code (\S+) /.exec(err);
      if (!m || started) return;
      started = true;
      done = withBrowserContext(browser, (open) =>
        open(async (page) => {
          await submit(page, link("contoso"));
          await page.waitForURL(/\/portal\/device$/);
          await page.fill("#user_code", m[2] as string);
          await submit(page, "form[action$='/device'] button[type=submit]");
          await submit(page, "button[value=approve]");
        })(m[1] as string),
      );
    });
    await done;
    assert.equal(login.code, 0, login.err);
    assert.equal((await json(["account", "show"])).user.name, "fox@contoso.example");
  });

  it("a provider user whose name equals a local user's is not merged into that account", async () => {
    const tenantId = s.running.bootstrap.tenant.id;
    upstream.misbehave = {};
    // A local user first, then the provider's user of the same name.
    const erin = await createUser(s.running.store.directory, {
      tenantId,
      upn: "erin@contoso.example",
      displayName: "Erin (local)",
    });
    upstream.user = {
      sub: "00u-erin",
      preferred_username: "erin@contoso.example",
      email: "erin@contoso.example",
      email_verified: true,
    };
    const { callback } = await roundTrip();
    assert.equal(callback.status, 403, callback.body);
    assert.match(callback.body, /already exists and is not bound/);
    assert.deepEqual(
      await s.running.store.identityProviders.listFederatedIdentitiesOf(tenantId, erin.id),
      [],
    );
  });

  it("a SCIM-provisioned user signs in through the provider: bound by the externalId claim, once", async () => {
    const tenantId = s.running.bootstrap.tenant.id;
    upstream.misbehave = {};
    const admin = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(admin.code, 0, admin.err);
    const made = await json(["scim", "token", "create"]);
    const kimId = await scimCreateUser(made.scimUrl, made.token, caBoth, {
      userName: "kim@contoso.example",
      externalId: "8f1c-kim",
      active: true,
    });
    upstream.user = {
      sub: "pairwise-kim",
      oid: "8f1c-kim",
      preferred_username: "kim@contoso.example",
      groups: ["devs"],
    };
    // Without the rule: the SCIM user exists and is not bound (never by name).
    const before = await roundTrip();
    assert.equal(before.callback.status, 403, before.callback.body);
    assert.match(before.callback.body, /already exists and is not bound/);
    const updated = await json(["idp", "update", "--name", "contoso", "--external-id-claim", "oid"]);
    assert.equal(updated.claims.externalId, "oid");
    // Only one provider of the tenant may bind SCIM users.
    const second = await s.cli(["idp", "update", "--name", "mailer", "--external-id-claim", "oid"]);
    assert.notEqual(second.code, 0);
    assert.match(second.err, /ERR_IDP_CONFLICT/);
    const ok = await roundTrip();
    assert.equal(ok.callback.status, 303, ok.callback.body);
    const bound = await s.running.store.identityProviders.listFederatedIdentitiesOf(tenantId, kimId);
    assert.deepEqual(
      bound.map((b) => [b.issuer, b.subject]),
      [[upstream.issuer, "pairwise-kim"]],
    );
    const events = await s.running.store.audit.query(
      { tenantId, action: "Directory/users/federatedBind/action" },
      { limit: 10 },
    );
    assert.deepEqual(
      events.items.map((e) => e.target),
      [kimId],
      "the binding is in the activity log",
    );
    // Another subject of the same provider with the same externalId is refused.
    upstream.user = { sub: "pairwise-kim-2", oid: "8f1c-kim", preferred_username: "kim2@contoso.example" };
    const other = await roundTrip();
    assert.equal(other.callback.status, 403, other.callback.body);
    assert.match(other.callback.body, /bound to another identity already/);
    assert.equal(
      (await s.running.store.identityProviders.listFederatedIdentitiesOf(tenantId, kimId)).length,
      1,
    );
    await json(["idp", "update", "--name", "contoso", "--external-id-claim", ""]);
    assert.equal((await json(["idp", "show", "--name", "contoso"])).claims.externalId, undefined);
  });

  it("require MFA: the provider's MFA satisfies it only when trusted; otherwise hostpass asks its own second factor", async () => {
    const tenantId = s.running.bootstrap.tenant.id;
    const store = s.running.store;
    upstream.misbehave = {};
    const admin = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(admin.code, 0, admin.err);
    await json(["idp", "update", "--name", "contoso", "--trust-mfa", "true"]);
    // The organisation did MFA at its provider (amr mfa) for every sign-in below.
    upstream.user = {
      sub: "00u-lee",
      preferred_username: "lee@contoso.example",
      amr: ["pwd", "mfa"],
      groups: [],
    };
    const policy = {
      id: "mfa-for-everyone",
      name: "Require MFA",
      state: "enabled",
      assignments: { users: { include: "All" }, applications: { include: "All" } },
      grantControls: { operator: "OR", controls: ["mfa"] },
    };
    await putPolicy(store.conditionalAccess, tenantId, policy, new Date());
    const key = join(s.home, "lee-key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const cert = ["ssh", "cert", "--file", `${key}-cert.pub`, "--public-key-file", `${key}.pub`];
    /**
     * `args`, with any sign-in it asks for done in Chromium through the provider; `askedTotp` when
     * hostpass showed its own second-factor page (answered with `totpSecret`).
     */
    const withFederatedSignIn = async (args: string[], totpSecret?: string) => {
      let prompted = false;
      let askedTotp = false;
      let signIn: Promise<unknown> = Promise.resolve();
      const run = await s.cli(args, (err) => {
        const url = /(https:\/\/\S+\/oauth2\/\S+)/.exec(err)?.[1];
        if (!url || prompted) return;
        prompted = true;
        signIn = withBrowserContext(browser, (open) =>
          open(async (page) => {
            await submit(page, link("contoso"));
            if ((await page.locator("#code").count()) > 0) {
              askedTotp = true;
              assert.ok(totpSecret, "hostpass asked for a second factor");
              await page.fill("#code", totpCodeAt(totpSecret, Date.now()));
              await submit(page, "form[action$='/signin/totp'] button");
            }
            await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
          })(url),
        );
      });
      await signIn;
      return { ...run, prompted, askedTotp };
    };
    try {
      // Trusted: the provider's MFA is hostpass's; no second factor, and the certificate comes
      // without another prompt.
      const trusted = await withFederatedSignIn(["login"]);
      assert.equal(trusted.code, 0, trusted.err);
      assert.equal(trusted.askedTotp, false);
      const lee = await findUserByUpn(store.directory, tenantId, "lee@contoso.example");
      assert.ok(lee);
      const first = await withFederatedSignIn(cert);
      assert.equal(first.code, 0, first.err);
      assert.equal(first.prompted, false, "the trusted provider's MFA satisfied the policy");

      // Not trusted: the same upstream amr counts for nothing; hostpass asks for its own factor
      // (at the sign-in or at the certificate's step-up), and the certificate comes after it.
      assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
      await json(["idp", "update", "--name", "contoso", "--trust-mfa", "false"]);
      const { secret } = await enrollTotp("hostpass", lee.upn);
      await store.mfa.saveTotp(lee.id, secret, null, new Date());
      const untrusted = await withFederatedSignIn(["login"], secret);
      assert.equal(untrusted.code, 0, untrusted.err);
      const stepUp = await withFederatedSignIn(cert, secret);
      assert.equal(stepUp.code, 0, stepUp.err);
      assert.equal(
        untrusted.askedTotp || stepUp.askedTotp,
        true,
        "the untrusted provider's MFA did not count: hostpass asked its own second factor",
      );
      const again = await withFederatedSignIn(cert);
      assert.equal(again.code, 0, again.err);
      assert.equal(again.prompted, false, "hostpass's own second factor is on the session now");
    } finally {
      await store.conditionalAccess.deletePolicy(tenantId, policy.id);
    }
  });

  it("hostile or broken providers are refused with clear errors", async () => {
    const cases: [string, FakeUpstream["misbehave"], RegExp][] = [
      ["a token from another issuer", { idTokenIssuer: "https://evil.example" }, /"iss"|issuer/i],
      ["a wrong audience", { audience: "someone-else" }, /"aud"|audience/i],
      ["a missing nonce", { nonce: null }, /nonce/i],
      ["another nonce (a replayed ID token)", { nonce: "replayed" }, /nonce/i],
      ["an iss mismatch in the redirect (mix-up)", { redirectIss: "https://other.example" }, /iss/i],
      ["a signature by a key not in the provider's set", { foreignKey: true }, /signature|key/i],
    ];
    upstream.user = { sub: "00u-gina", preferred_username: "gina@contoso.example" };
    for (const [what, misbehave, message] of cases) {
      upstream.misbehave = misbehave;
      const { callback } = await roundTrip();
      assert.equal(callback.status, 401, `${what}: ${callback.body}`);
      assert.match(callback.body, /could not be verified/, what);
      assert.match(callback.body, message, what);
    }
    upstream.misbehave = {};
    const tenantId = s.running.bootstrap.tenant.id;
    assert.equal(await findUserByUpn(s.running.store.directory, tenantId, "gina@contoso.example"), undefined);
  });

  it("email_verified false where email is the mapping claim; a domain not allowed; a replayed callback", async () => {
    upstream.misbehave = {};
    upstream.user = { sub: "00u-hal", email: "hal@contoso.example", email_verified: false };
    const unverified = await roundTrip("mailer");
    assert.equal(unverified.callback.status, 403, unverified.callback.body);
    assert.match(unverified.callback.body, /email_verified/);

    upstream.user = { sub: "00u-ivy", preferred_username: "ivy@elsewhere.example" };
    const foreign = await roundTrip();
    assert.equal(foreign.callback.status, 403, foreign.callback.body);
    assert.match(foreign.callback.body, /not allowed/);

    upstream.user = { sub: "00u-jon", preferred_username: "jon@contoso.example" };
    const ok = await roundTrip();
    assert.equal(ok.callback.status, 303, ok.callback.body);
    const before = upstream.tokenRequests;
    // The same callback again (same browser): the pending request is gone.
    assert.ok(
      [...ok.cookies.keys()].some((k) => k.endsWith("hp_fed")),
      "the binding cookie is replayed too",
    );
    const replay = await get(ok.callbackUrl, caBoth, new Map(ok.cookies));
    assert.equal(replay.status, 400, replay.body);
    assert.equal(upstream.tokenRequests, before, "a replayed callback never reaches the provider");
  });
});
