/**
 * The identity provider pages in Chromium on a real server (issue 13): add a provider with its
 * secret, see the redirect URI to register, change it (the secret kept when left empty, a claim
 * mapping removed), a refused setting shown in the API's words, disable it (the sign-in page stops
 * offering it), delete it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { submit } from "../portal/helpers/chromium.ts";
import {
  checkPage,
  type Harness,
  noticeOn,
  openAdminPortal,
  openPortal,
  type PortalBrowser,
  startHarness,
} from "./harness.ts";

describe("portal: identity providers", () => {
  let harness: Harness;
  let portal: PortalBrowser;
  let page: Page;
  let tenantId: string;
  const SECRET = "the provider's client secret 7f3a";
  before(async () => {
    harness = await startHarness();
    tenantId = harness.running.bootstrap.tenant.id;
    portal = await openAdminPortal(harness);
    page = portal.page;
  });
  after(async () => {
    await portal?.close();
    await harness?.close();
  });

  const providers = () => harness.running.store.identityProviders;
  const stored = async () => providers().findIdentityProviderByName(tenantId, "contoso");
  /** The links a signed-out browser's sign-in page offers. */
  const offered = async (): Promise<string[]> => {
    const visitor = await openPortal(harness);
    try {
      await visitor.page.goto(`${harness.url}/`);
      await visitor.page.waitForURL(/\/portal\/interaction\//);
      return await visitor.page.locator("a[href*='/signin/federated/']").allTextContents();
    } finally {
      await visitor.close();
    }
  };

  it("adds a provider and shows the redirect URI to register; the sign-in page offers it", async () => {
    await page.goto(`${harness.url}/portal/directory/users`);
    await page.click("nav.tabs a:text('Identity providers')");
    await page.waitForURL(/\/directory\/identity-providers$/);
    assert.equal(await page.locator("[data-empty]").count(), 1);
    await page.fill("#idp-name", "contoso");
    await page.fill("#idp-displayName", "Contoso");
    await page.fill("#idp-issuer", "https://login.contoso.example");
    await page.fill("#idp-clientId", "hostpass");
    await page.fill("#idp-clientSecret", SECRET);
    await page.fill("#idp-groupsClaim", "groups");
    await page.fill("#idp-allowedDomains", "contoso.example, Contoso.org");
    await page.check("input[name=jitProvisioning]");
    await submit(page, "form[action$='/directory/identity-providers'] button[type=submit]");
    assert.match(await noticeOn(page), /Identity provider Contoso added/);
    assert.match(page.url(), /\/directory\/identity-providers\/contoso$/);
    assert.equal((await page.content()).includes(SECRET), false, "the secret is never shown");
    await checkPage(page, "identity-provider");
    const p = await stored();
    assert.ok(p);
    assert.equal(
      (await page.textContent("#idp-redirect-uri"))?.trim(),
      `${harness.running.publicUrl}/portal/signin/federated/${p.id}/callback`,
      "each provider has its own redirect URI",
    );
    assert.equal(p.issuer, "https://login.contoso.example");
    assert.equal(p.claims.groups, "groups");
    assert.deepEqual(p.allowedDomains, ["contoso.example", "contoso.org"]);
    assert.equal(p.jitProvisioning, true);
    assert.equal(p.trustMfa, false);
    assert.equal(await providers().getClientSecret(tenantId, p.id), SECRET);
    assert.deepEqual(await offered(), ["Sign in with Contoso"]);
    await page.click("nav.tabs a:text('Identity providers')");
    await page.waitForURL(/\/directory\/identity-providers$/);
    assert.equal(await page.locator("main table tbody tr").count(), 1);
    await checkPage(page, "identity-providers");
  });

  it("changes it: the secret kept when left empty, a claim mapping removed, MFA trusted", async () => {
    await page.goto(`${harness.url}/portal/directory/identity-providers/contoso`);
    assert.equal(
      await page.inputValue("#idp-clientSecret"),
      "",
      "the secret is not sent back to the browser",
    );
    await page.fill("#idp-groupsClaim", "");
    await page.fill("#idp-externalIdClaim", "oid");
    await page.check("input[name=trustMfa]");
    await submit(page, "form[action$='/directory/identity-providers/contoso'] button[type=submit]");
    assert.match(await noticeOn(page), /Identity provider saved/);
    const p = await stored();
    assert.ok(p);
    assert.equal(p.claims.groups, undefined);
    assert.equal(p.claims.externalId, "oid");
    assert.equal(p.trustMfa, true);
    assert.equal(p.jitProvisioning, true, "unchanged boxes stay as they were");
    assert.equal(await providers().getClientSecret(tenantId, p.id), SECRET);
  });

  it("a refused setting is shown in the API's words and nothing changes", async () => {
    await page.fill("#idp-issuer", "http://login.contoso.example");
    await submit(page, "form[action$='/directory/identity-providers/contoso'] button[type=submit]");
    assert.match(await noticeOn(page), /Nothing was changed: .*issuer must be an https URL/);
    assert.equal((await stored())?.issuer, "https://login.contoso.example");
    await page.goto(`${harness.url}/portal/directory/identity-providers/no-such-one`);
    assert.match((await page.textContent("main")) ?? "", /no identity provider 'no-such-one'/);
  });

  it("private_key_jwt: hostpass makes the key and shows the JWKS URI and the public key; a new key on request", async () => {
    await page.goto(`${harness.url}/portal/directory/identity-providers/contoso`);
    await page.selectOption("#idp-clientAuthMethod", "private_key_jwt");
    await submit(page, "form[action$='/directory/identity-providers/contoso'] button[type=submit]");
    assert.match(await noticeOn(page), /Identity provider saved/);
    const p = await stored();
    assert.ok(p?.signingKey);
    assert.equal(
      (await page.textContent("#idp-jwks-uri"))?.trim(),
      `${harness.running.publicUrl}/directory/identityProviders/${p.id}/jwks`,
    );
    const shown = JSON.parse((await page.textContent("#idp-public-jwk")) ?? "{}");
    assert.equal(shown.n, p.signingKey.publicJwk.n);
    assert.equal(shown.d, undefined);
    await checkPage(page, "identity-provider-private-key-jwt");
    await submit(page, "form[action$='/contoso/rotate-key'] button");
    assert.match(await noticeOn(page), /New signing key made/);
    assert.notEqual((await stored())?.signingKey?.kid, p.signingKey.kid);
  });

  it("disabled, the sign-in page no longer offers it; deleted, it is gone", async () => {
    await page.goto(`${harness.url}/portal/directory/identity-providers/contoso`);
    await submit(page, "form[action$='/contoso/enabled'] button");
    assert.match(await noticeOn(page), /Disabled/);
    assert.equal((await stored())?.enabled, false);
    assert.deepEqual(await offered(), []);
    await submit(page, "form[action$='/contoso/delete'] button");
    assert.match(await noticeOn(page), /Identity provider deleted/);
    assert.equal(await stored(), undefined);
    assert.equal(await page.locator("[data-empty]").count(), 1);
  });
});
