/** Device-code approval through `app.inject`, and the small pure helpers the pages rely on. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { normalizeUserCode, USER_CODE_ALPHABET } from "../../src/portal/index.ts";
import { safeReturnTo } from "../../src/portal/lib/context.ts";
import { html, trustedSvg } from "../../src/portal/lib/html.ts";
import { InjectBrowser } from "./helpers/inject-browser.ts";
import { type PortalApp, startPortalApp } from "./helpers/portal-app.ts";

async function signedIn(portal: PortalApp, upn: string, password: string): Promise<InjectBrowser> {
  const b = new InjectBrowser(portal.app);
  await b.get("/signin?return=/device");
  const res = await b.post("/signin/password", { username: upn, password });
  assert.equal(res.headers.location, "/device");
  return b;
}

describe("device-code approval (inject)", () => {
  let portal: PortalApp;
  before(async () => {
    portal = await startPortalApp();
    portal.backend.addUser("carol@contoso.com", "carols-password");
    portal.backend.addUser("dave@contoso.com", "daves-password");
    for (const code of ["BCDFGHJK", "LMNPQRST", "VWXZBCDF"]) {
      portal.backend.devices.set(code, {
        userCode: code,
        clientId: "b95e88a6-adb6-476d-9b94-9e0584ce3198",
        clientName: "hostpass CLI",
        requestIp: "203.0.113.7",
        requestUserAgent: "hostpass/0.1 (linux)",
        scopes: ["openid", "offline_access", "vm.login"],
      });
    }
  });
  after(() => portal.close());

  test("/device asks to sign in first and comes back, with a prefilled code shown but not submitted", async () => {
    const b = new InjectBrowser(portal.app);
    const res = await b.get("/device?code=bcdf-ghjk");
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/signin?return=%2Fdevice%3Fcode%3Dbcdf-ghjk");
    const c = await signedIn(portal, "carol@contoso.com", "carols-password");
    assert.match((await c.get("/device?code=bcdf-ghjk")).body, /value="BCDFGHJK"/);
    assert.equal(portal.backend.deviceDecisions.size, 0);
  });

  test("the approval page shows client, requesting IP, scopes and the phishing warning; approve records who approved", async () => {
    const b = await signedIn(portal, "carol@contoso.com", "carols-password");
    await b.get("/device");
    const page = await b.post("/device", { user_code: " bcdf ghjk " });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-field="client">hostpass CLI/);
    assert.match(page.body, /data-field="ip">203\.0\.113\.7/);
    assert.match(page.body, /Linux VM Sign-In: log in to Linux machines as you/);
    assert.match(page.body, /Only continue if you started this sign-in yourself on a device you control/);
    assert.match(page.body, /data-field="code" class="code">BCDF-GHJK/);
    assert.equal(page.headers["cache-control"], "no-store");
    const done = await b.post("/device/decision", { user_code: "BCDFGHJK", decision: "approve" });
    assert.match(done.body, /<h1>You're signed in<\/h1>/);
    const decision = portal.backend.deviceDecisions.get("BCDFGHJK");
    assert.equal(decision?.approved, true);
    assert.match(decision?.principal?.accountId ?? "", /carol/);
    assert.deepEqual(decision?.principal?.amr, ["pwd"]);
    await b.get("/device");
    const reuse = await b.post("/device/decision", { user_code: "BCDFGHJK", decision: "approve" });
    assert.equal(reuse.statusCode, 400, "a used code is gone");
  });

  test("deny gives nothing and says so", async () => {
    const b = await signedIn(portal, "carol@contoso.com", "carols-password");
    await b.get("/device");
    await b.post("/device", { user_code: "lmnp-qrst" });
    const done = await b.post("/device/decision", { user_code: "LMNPQRST", decision: "deny" });
    assert.match(done.body, /Sign-in denied/);
    assert.equal(portal.backend.deviceDecisions.get("LMNPQRST")?.approved, false);
  });

  test("guessing is limited: five wrong codes lock entry, even of a right code", async () => {
    const b = await signedIn(portal, "dave@contoso.com", "daves-password");
    await b.get("/device");
    for (const guess of ["BBBBBBBB", "AEIOU123", "CCCC-CCCC", "DDDDDDDD", "FFFFFFFF"]) {
      const res = await b.post("/device", { user_code: guess });
      assert.equal(res.statusCode, 400);
      assert.match(res.body, /isn&#39;t valid or has expired/);
    }
    const locked = await b.post("/device", { user_code: "VWXZ-BCDF" });
    assert.equal(locked.statusCode, 429);
    assert.equal(portal.backend.deviceDecisions.has("VWXZBCDF"), false);
  });

  test("POSTs to the device pages need the CSRF token", async () => {
    const b = await signedIn(portal, "carol@contoso.com", "carols-password");
    await b.get("/device");
    const res = await b.post("/device/decision", { user_code: "VWXZBCDF", decision: "approve", csrf: "" });
    assert.equal(res.statusCode, 403);
    assert.equal(portal.backend.deviceDecisions.has("VWXZBCDF"), false);
  });
});

describe("page helpers", () => {
  test("user codes: case, dashes and spaces ignored; only the consonant alphabet, eight letters", () => {
    assert.equal(USER_CODE_ALPHABET, "BCDFGHJKLMNPQRSTVWXZ");
    assert.equal(normalizeUserCode("bcdf-ghjk"), "BCDFGHJK");
    assert.equal(normalizeUserCode(" BcDf GhJk "), "BCDFGHJK");
    for (const bad of ["", "BCDFGHJ", "BCDFGHJKL", "ABCDFGHJ", "BCDF_GHJK", "BCDF0GHJ", "x".repeat(100)]) {
      assert.equal(normalizeUserCode(bad), undefined, bad);
    }
  });

  test("html escapes every value, nests safely, and trustedSvg refuses anything but plain paths", () => {
    const name = `"><script>alert(1)</script>&'`;
    assert.equal(
      html`<p title="${name}">${name}</p>${html`<b>${1}</b>`}`.toString(),
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;</p><b>1</b>',
    );
    assert.ok(trustedSvg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>'));
    for (const bad of [
      '<svg onload="x()"><path d="M0"/></svg>',
      "<svg ><script>x()</script></svg>",
      '<svg ><path style="x" d="M0"/></svg>',
    ]) {
      assert.throws(() => trustedSvg(bad), TypeError);
    }
  });

  test("return paths: local absolute paths only", () => {
    assert.equal(safeReturnTo("/device?code=X", "/f"), "/device?code=X");
    for (const bad of [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example",
      "device",
      "/a b",
      undefined,
    ]) {
      assert.equal(safeReturnTo(bad, "/f"), "/f", String(bad));
    }
  });
});
