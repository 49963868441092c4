/**
 * Every tenant's identity providers (issue 13): the sign-in page offers the enabled providers of
 * all tenants, each by its id and named with its tenant; a provider of a second tenant works end
 * to end in Chromium (`hostpass login`), and its user lands in that tenant: its directory, its
 * SCIM externalId binding, its groups, never the home tenant's. Hostile: a round trip made for one
 * tenant's provider brought to another's callback, an unknown provider id, a disabled provider, a
 * provider whose tenant is deleted.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { createTenant, findUserByUpn, groupClosure, type Tenant } from "../../src/directory/index.ts";
import { addIdentityProvider, createScimToken, updateIdentityProvider } from "../../src/federation/index.ts";
import { SQLITE_FILE_NAME } from "../../src/store/index.ts";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { launchChromium } from "../portal/helpers/chromium.ts";
import { certificateOf, cliLoginInBrowser } from "./browser-login.ts";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstream.ts";
import { get, scimCreateUser, toCallback } from "./round-trip.ts";

describe("identity providers of every tenant", () => {
  let s: CliServer;
  /** The home tenant's provider (added with the CLI) and the second tenant's (another issuer). */
  let homeIdp: FakeUpstream;
  let fabrikamIdp: FakeUpstream;
  let browser: Browser;
  let cas = new Map<string, string>();
  let home = "";
  let fabrikam: Tenant;
  const ids = { home: "", fabrikam: "" };

  const json = async (args: string[]) => {
    const r = await s.cli(args);
    assert.equal(r.code, 0, `${args.join(" ")}\n${r.err}`);
    return r.out.trim() === "" ? undefined : JSON.parse(r.out);
  };
  const url = (path: string) => `${s.running.url}/portal${path}`;
  /** The sign-in page's provider links: [href, text]. */
  const offered = async (): Promise<[string, string][]> => {
    const page = await get(url("/signin"), cas, new Map());
    assert.equal(page.status, 200, page.body);
    return [...page.body.matchAll(/<a class="button secondary" href="([^"]+)">([\s\S]*?)<\/a>/g)].map((m) => [
      m[1] as string,
      (m[2] as string).replace(/<[^>]+>/g, "").replace(/\s+/g, " "),
    ]);
  };
  /** The provider's answer to a round trip whose provider went since: refused, its code unused. */
  const refusedLate = async (answer: string, cookies: Map<string, string>) => {
    const before = fabrikamIdp.tokenRequests;
    const late = await get(answer, cas, cookies);
    assert.equal(late.status, 401, late.body);
    assert.match(late.body, /no longer available/);
    assert.equal(fabrikamIdp.tokenRequests, before, "the code was not redeemed");
  };
  /** A provider in `tenantId`, added the way the API does (the API acts on the caller's tenant). */
  const addProvider = async (tenantId: string, upstream: FakeUpstream, extra: object = {}) =>
    (
      await addIdentityProvider(
        s.running.store.identityProviders,
        tenantId,
        {
          name: "contoso",
          displayName: "Contoso",
          issuer: upstream.issuer,
          clientId: upstream.clientId,
          clientSecret: upstream.clientSecret,
          jitProvisioning: true,
          caCertificate: upstream.ca,
          ...extra,
        },
        new Date(),
      )
    ).id;

  before(async () => {
    [homeIdp, fabrikamIdp] = await Promise.all([startFakeUpstream(), startFakeUpstream()]);
    s = await startCliServer();
    cas = new Map([
      [new URL(s.running.url).origin, await readFile(s.caFile, "utf8")],
      [homeIdp.issuer, homeIdp.ca],
      [fabrikamIdp.issuer, fabrikamIdp.ca],
    ]);
    home = s.running.bootstrap.tenant.id;
    const login = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(login.code, 0, login.err);
    const caFile = join(s.home, "home-idp-ca.pem");
    await writeFile(caFile, homeIdp.ca);
    const added = await json([
      ...["idp", "add", "--name", "contoso", "--display-name", "Contoso", "--issuer", homeIdp.issuer],
      ...["--client-id", homeIdp.clientId, "--client-secret", homeIdp.clientSecret, "--jit", "true"],
      ...["--ca-file", caFile, "--groups-claim", "groups"],
    ]);
    ids.home = added.id;
    // A second tenant with a provider of the same name (names are unique in a tenant only), which
    // binds SCIM-provisioned users by the `oid` claim and syncs groups.
    fabrikam = await createTenant(s.running.store.directory, { name: "fabrikam", displayName: "Fabrikam" });
    ids.fabrikam = await addProvider(fabrikam.id, fabrikamIdp, {
      scopes: ["openid", "profile"],
      claims: { groups: "groups", externalId: "oid" },
      allowedDomains: ["fabrikam.example"],
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await homeIdp?.close();
    await fabrikamIdp?.close();
  });

  it("the sign-in page offers both tenants' providers, by id, each named with its tenant", async () => {
    assert.notEqual(ids.home, ids.fabrikam);
    assert.deepEqual(await offered(), [
      [`/portal/signin/federated/${ids.home}`, "Sign in with Contoso · Default Directory"],
      [`/portal/signin/federated/${ids.fabrikam}`, "Sign in with Contoso · Fabrikam"],
    ]);
    // Each provider has its own redirect URI: what `hostpass idp show` tells its administrator.
    assert.equal(
      (await json(["idp", "show", "--name", "contoso"])).redirectUri,
      `${s.running.url}/portal/signin/federated/${ids.home}/callback`,
    );
  });

  it("hostpass login in Chromium through the second tenant's provider: the user lands in that tenant, bound to its SCIM user, and gets a certificate", async () => {
    // Both tenants' SCIM clients provisioned a kim with the same userName and externalId.
    const scim = async (tenantId: string) => {
      const token = await createScimToken(s.running.store.federation, tenantId, new Date());
      return scimCreateUser(`${s.running.url}/scim/v2`, token.token, cas, {
        userName: "kim@fabrikam.example",
        externalId: "ext-kim",
        active: true,
      });
    };
    const kimHere = await scim(fabrikam.id);
    const kimHome = await scim(home);
    fabrikamIdp.user = {
      sub: "fab-kim",
      oid: "ext-kim",
      preferred_username: "kim@fabrikam.example",
      name: "Kim",
      groups: ["ops"],
    };
    const login = await cliLoginInBrowser(s, browser, async (page) => {
      await Promise.all([
        page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/),
        page.click(`a[href$='/signin/federated/${ids.fabrikam}']`),
      ]);
    });
    assert.equal(login.code, 0, login.err);
    assert.equal(homeIdp.tokenRequests, 0, "the home tenant's provider was never asked");
    const account = await json(["account", "show"]);
    assert.equal(account.user.name, "kim@fabrikam.example");
    assert.equal(account.tenantId, fabrikam.id);

    const { identityProviders, directory, audit } = s.running.store;
    const bound = await identityProviders.listFederatedIdentitiesOf(fabrikam.id, kimHere);
    assert.deepEqual(
      bound.map((b) => [b.providerId, b.issuer, b.subject]),
      [[ids.fabrikam, fabrikamIdp.issuer, "fab-kim"]],
    );
    assert.deepEqual(await identityProviders.listFederatedIdentitiesOf(home, kimHome), []);
    const groups = await groupClosure(directory, fabrikam.id, kimHere);
    const names = (await directory.getPrincipals(fabrikam.id, [...groups])).map((g) => g.displayName);
    assert.deepEqual(names, ["ops"]);
    const homeGroups = await directory.listPrincipals(home, "group", { limit: 100 });
    assert.equal(
      homeGroups.items.some((g) => g.displayName === "ops"),
      false,
      "no group made in the home tenant",
    );
    const bindEvents = async (tenantId: string) =>
      (await audit.query({ tenantId, action: "Directory/users/federatedBind/action" }, { limit: 10 })).items;
    assert.deepEqual(
      (await bindEvents(fabrikam.id)).map((e) => e.target),
      [kimHere],
    );
    assert.deepEqual(await bindEvents(home), []);

    const shown = await certificateOf(s, "kim-key");
    assert.match(shown, /Principals: \n\s+kim@fabrikam\.example\n/);
    assert.match(shown, new RegExp(`Key ID: "[^"]*@${fabrikam.id}"`), "issued by the second tenant");
  });

  it("just in time: a new user of the second tenant's provider is created there, not in the home tenant", async () => {
    fabrikamIdp.user = { sub: "fab-lou", preferred_username: "lou@fabrikam.example", groups: [] };
    const cookies = new Map<string, string>();
    const callback = await get(await toCallback(s.running.url, ids.fabrikam, cas, cookies), cas, cookies);
    assert.equal(callback.status, 303, callback.body);
    assert.ok(await findUserByUpn(s.running.store.directory, fabrikam.id, "lou@fabrikam.example"));
    assert.equal(await findUserByUpn(s.running.store.directory, home, "lou@fabrikam.example"), undefined);
  });

  it("a round trip made for one tenant's provider is refused at another's callback, and nothing is redeemed", async () => {
    homeIdp.user = { sub: "home-mo", preferred_username: "mo@contoso.example" };
    fabrikamIdp.user = { sub: "fab-mo", preferred_username: "mo@fabrikam.example" };
    const tokens = () => [homeIdp.tokenRequests, fabrikamIdp.tokenRequests];

    // A browser that started at the home tenant's provider comes back to fabrikam's callback with
    // fabrikam's answer (made for another browser, which started there).
    const jarHome = new Map<string, string>();
    await toCallback(s.running.url, ids.home, cas, jarHome);
    const jarFabrikam = new Map<string, string>();
    const fabrikamAnswer = await toCallback(s.running.url, ids.fabrikam, cas, jarFabrikam);
    const before = tokens();
    const crossed = await get(fabrikamAnswer, cas, jarHome);
    assert.equal(crossed.status, 401, crossed.body);
    assert.match(crossed.body, /another identity provider/);
    assert.deepEqual(tokens(), before, "neither provider's code was redeemed");
    // That answer is still good for the browser it was made for: the refusal was the binding.
    const own = await get(fabrikamAnswer, cas, jarFabrikam);
    assert.equal(own.status, 303, own.body);
    assert.ok(await findUserByUpn(s.running.store.directory, fabrikam.id, "mo@fabrikam.example"));

    // The home provider's own answer, taken to fabrikam's callback address.
    const jar = new Map<string, string>();
    const homeAnswer = await toCallback(s.running.url, ids.home, cas, jar);
    const moved = homeAnswer.replace(`/federated/${ids.home}/`, `/federated/${ids.fabrikam}/`);
    const atOther = await get(moved, cas, jar);
    assert.equal(atOther.status, 401, atOther.body);
    assert.match(atOther.body, /another identity provider/);
    // Fabrikam's answer at the home provider's own callback, for a round trip made there: the
    // state is not the one made for this provider (openid-client checks it before the code).
    const jar2 = new Map<string, string>();
    await toCallback(s.running.url, ids.home, cas, jar2);
    const other = await toCallback(s.running.url, ids.fabrikam, cas, new Map());
    const query = other.slice(other.indexOf("?"));
    const wrongState = await get(url(`/signin/federated/${ids.home}/callback${query}`), cas, jar2);
    assert.equal(wrongState.status, 401, wrongState.body);
    assert.match(wrongState.body, /could not be verified/);
    assert.deepEqual(tokens(), [before[0], (before[1] ?? 0) + 1], "only the good answer was redeemed");
    assert.equal(await findUserByUpn(s.running.store.directory, home, "mo@contoso.example"), undefined);
    assert.equal(
      await findUserByUpn(s.running.store.directory, fabrikam.id, "mo@contoso.example"),
      undefined,
    );
    // Each refusal is in the sign-in log of the tenant whose provider's callback it came to.
    const refusals = async (tenantId: string) =>
      (await s.running.store.signInLog.query({ tenantId, result: "failure" }, { limit: 100 })).items.filter(
        (e) => e.failureReason === "ERR_FEDERATION_SIGN_IN_FAILED",
      ).length;
    assert.equal(await refusals(fabrikam.id), 2);
    assert.equal(await refusals(home), 1);
  });

  it("an unknown provider id, a provider name, the old shared callback: refused", async () => {
    const cookies = new Map<string, string>();
    await get(url("/signin"), cas, cookies);
    for (const path of [
      "/signin/federated/7d0f4a52-3f1b-4c55-9a43-2b7f0d0c6a11",
      "/signin/federated/contoso",
    ]) {
      const r = await get(url(path), cas, cookies);
      assert.equal(r.status, 404, `${path}: ${r.body}`);
    }
    const legacy = await get(url("/signin/federated/callback?code=x&state=y"), cas, cookies);
    assert.equal(legacy.status, 400, legacy.body);
    assert.match(legacy.body, /register the redirect URI/);
  });

  it("a disabled provider is not offered, cannot be started, and a round trip started before is refused", async () => {
    const repo = s.running.store.identityProviders;
    fabrikamIdp.user = { sub: "fab-nia", preferred_username: "nia@fabrikam.example" };
    const cookies = new Map<string, string>();
    const answer = await toCallback(s.running.url, ids.fabrikam, cas, cookies);
    await updateIdentityProvider(repo, fabrikam.id, ids.fabrikam, { enabled: false }, new Date());
    try {
      await refusedLate(answer, cookies);
      assert.deepEqual(
        (await offered()).map(([href]) => href),
        [`/portal/signin/federated/${ids.home}`],
        "one tenant's provider left: named without its tenant",
      );
      assert.deepEqual(
        (await offered()).map(([, text]) => text),
        ["Sign in with Contoso"],
      );
      const jar = new Map<string, string>();
      await get(url("/signin"), cas, jar);
      const start = await get(url(`/signin/federated/${ids.fabrikam}`), cas, jar);
      assert.equal(start.status, 404, start.body);
      assert.equal(
        await findUserByUpn(s.running.store.directory, fabrikam.id, "nia@fabrikam.example"),
        undefined,
      );
    } finally {
      await updateIdentityProvider(repo, fabrikam.id, ids.fabrikam, { enabled: true }, new Date());
    }
  });

  it("a provider whose tenant is deleted: no longer offered, and its round trip in flight is refused", async () => {
    const northwind = await createTenant(s.running.store.directory, {
      name: "northwind",
      displayName: "Northwind",
    });
    const id = await addProvider(northwind.id, fabrikamIdp, { name: "northwind-login" });
    assert.deepEqual(
      (await offered()).map(([, text]) => text),
      [
        "Sign in with Contoso · Default Directory",
        "Sign in with Contoso · Fabrikam",
        "Sign in with Contoso · Northwind",
      ],
    );
    fabrikamIdp.user = { sub: "nw-oz", preferred_username: "oz@northwind.example" };
    const cookies = new Map<string, string>();
    const answer = await toCallback(s.running.url, id, cas, cookies);
    // hostpass has no tenant deletion yet: the row goes as it would, its providers with it
    // (identity_providers cascades).
    const db = new DatabaseSync(join(s.dataDir, SQLITE_FILE_NAME));
    try {
      db.exec("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;");
      assert.equal(Number(db.prepare("DELETE FROM tenants WHERE id = ?").run(northwind.id).changes), 1);
    } finally {
      db.close();
    }
    await refusedLate(answer, cookies);
    assert.equal(
      (await offered()).some(([href]) => href.endsWith(id)),
      false,
    );
    const jar = new Map<string, string>();
    await get(url("/signin"), cas, jar);
    assert.equal((await get(url(`/signin/federated/${id}`), cas, jar)).status, 404);
  });
});
