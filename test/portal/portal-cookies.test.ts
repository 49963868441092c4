/** Cookie attributes, the per-address limit, step-up and consent interactions, through `app.inject`. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { enrollTotp, totpCodeAt } from "../../src/mfa/index.ts";
import { InjectBrowser } from "./helpers/inject-browser.ts";
import { type PortalApp, startPortalApp } from "./helpers/portal-app.ts";

describe("cookies over HTTPS", () => {
  let portal: PortalApp;
  before(async () => {
    portal = await startPortalApp({ secureCookies: true });
    portal.backend.addUser("judy@contoso.com", "judys-password");
  });
  after(() => portal.close());

  test("every cookie is __Host-, Secure, HttpOnly, Path=/ with SameSite Strict (CSRF, flow) or Lax (session)", async () => {
    const b = new InjectBrowser(portal.app);
    const page = await b.get("/signin");
    const set = [page.headers["set-cookie"]].flat().map(String);
    assert.ok(
      set.some((c) => /^__Host-hp_csrf=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/.test(c)),
      set.join("\n"),
    );
    assert.ok(
      set.some((c) => /^__Host-hp_flow=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Secure$/.test(c)),
    );
    const res = await b.post("/signin/password", {
      username: "judy@contoso.com",
      password: "judys-password",
    });
    const session = [res.headers["set-cookie"]]
      .flat()
      .map(String)
      .find((c) => c.startsWith("__Host-hp_session="));
    assert.match(session ?? "", /; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=28800$/);
  });
});

describe("per-address limit, step-up and consent", () => {
  let portal: PortalApp;
  let secret: string;
  before(async () => {
    portal = await startPortalApp({ sourceMaxFailures: 4 });
    const kim = portal.backend.addUser("kim@contoso.com", "kims-password");
    secret = (await enrollTotp("hostpass", kim.upn)).secret;
    portal.backend.setTotp(kim.id, secret);
    portal.backend.interactions.set("step-up", {
      uid: "step-up",
      kind: "mfa",
      accountId: kim.id,
      clientId: "cli",
      clientName: "hostpass CLI",
      scopes: ["vm.login"],
      mfaRequired: true,
    });
    portal.backend.interactions.set("consent", {
      uid: "consent",
      kind: "consent",
      accountId: kim.id,
      clientId: "third",
      clientName: "Inventory tool",
      scopes: ["openid", "email"],
      mfaRequired: false,
    });
  });
  after(() => portal.close());

  test("a step-up goes straight to the second factor and reports only what it verified", async () => {
    const b = new InjectBrowser(portal.app);
    const res = await b.get("/interaction/step-up");
    assert.equal(res.headers.location, "/signin/factor");
    assert.match((await b.get("/signin/factor")).body, /kim@contoso.com/);
    await b.post("/signin/totp", { code: totpCodeAt(secret, Date.now()) });
    const outcome = portal.backend.outcomes.get("step-up");
    assert.deepEqual(outcome?.kind === "login" && outcome.amr, ["otp", "mfa"]);
  });

  test("consent lists what is asked in words and passes the decision on", async () => {
    const b = new InjectBrowser(portal.app);
    const page = await b.get("/interaction/consent");
    assert.match(page.body, /<strong>Inventory tool<\/strong> asks to:/);
    assert.match(page.body, /Read your email address/);
    const res = await b.post("/interaction/consent/consent", { decision: "allow" });
    assert.equal(res.headers.location, "/test-client/callback?uid=consent");
    assert.deepEqual(portal.backend.outcomes.get("consent"), { kind: "consent" });
  });

  test("many names tried from one address lock that address", async () => {
    const b = new InjectBrowser(portal.app);
    await b.get("/signin");
    for (let i = 0; i < 4; i++) {
      assert.equal(
        (await b.post("/signin/password", { username: `user${i}@contoso.com`, password: "x" })).statusCode,
        401,
      );
    }
    const res = await b.post("/signin/password", { username: "kim@contoso.com", password: "kims-password" });
    assert.equal(res.statusCode, 429);
  });
});
