/** Sign-in rules through `app.inject`: headers, CSRF, generic failures, lockout, TOTP, interactions. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { enrollTotp, totpCodeAt } from "../../src/mfa/index.ts";
import { CONTENT_SECURITY_POLICY } from "../../src/portal/index.ts";
import { InjectBrowser } from "./helpers/inject-browser.ts";
import { type PortalApp, startPortalApp } from "./helpers/portal-app.ts";

const GENERIC = "We couldn&#39;t sign you in with those details. Check them and try again.";
let clock = Date.UTC(2026, 10, 24, 10, 0, 0);

describe("portal sign-in (inject)", () => {
  let portal: PortalApp;
  let secret: string;
  before(async () => {
    portal = await startPortalApp({ now: () => clock });
    portal.backend.addUser("plain@contoso.com", "correct horse");
    const alice = portal.backend.addUser("alice@contoso.com", "s3cret-pass");
    secret = (await enrollTotp("hostpass", alice.upn)).secret;
    portal.backend.setTotp(alice.id, secret);
  });
  after(() => portal.close());

  test("every page carries the strict CSP and frame, referrer and cache headers, and no inline script or style", async () => {
    const b = new InjectBrowser(portal.app);
    for (const url of ["/signin", "/signin?return=/device", "/device", "/security"]) {
      const res = await b.get(url);
      if (res.statusCode === 303) continue;
      assert.equal(res.headers["content-security-policy"], CONTENT_SECURITY_POLICY);
      assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'; script-src 'self'; style-src 'self'/);
      assert.equal(res.headers["x-frame-options"], "DENY");
      assert.equal(res.headers["referrer-policy"], "no-referrer");
      assert.equal(res.headers["cache-control"], "no-store");
      assert.doesNotMatch(res.body, /<script(?![^>]*\ssrc=)/, "no inline script");
      assert.doesNotMatch(res.body, /<style|\sstyle=|\son[a-z]+=/i, "no inline style or handler");
    }
    const css = await b.get("/portal/static/portal.css");
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers["content-type"]), /^text\/css/);
    const js = await b.get("/portal/static/webauthn.js");
    assert.match(String(js.headers["content-type"]), /^text\/javascript/);
    assert.equal((await b.get("/portal/static/..%2Fbackend.ts")).statusCode, 404);
  });

  test("a POST without, with a wrong, or with another browser's CSRF token is refused; so is a foreign origin", async () => {
    const b = new InjectBrowser(portal.app);
    await b.get("/signin");
    const creds = { username: "plain@contoso.com", password: "correct horse" };
    assert.equal((await b.post("/signin/password", { ...creds, csrf: "" })).statusCode, 403);
    await b.get("/signin");
    assert.equal((await b.post("/signin/password", { ...creds, csrf: "x".repeat(43) })).statusCode, 403);
    const other = new InjectBrowser(portal.app);
    await other.get("/signin");
    await b.get("/signin");
    assert.equal((await b.post("/signin/password", { ...creds, csrf: other.csrfToken() })).statusCode, 403);
    await b.get("/signin");
    assert.equal(
      (await b.post("/signin/password", creds, { origin: "https://evil.example" })).statusCode,
      403,
    );
    await b.get("/signin");
    assert.equal(
      (await b.post("/signin/password", creds, { "sec-fetch-site": "cross-site" })).statusCode,
      403,
    );
    assert.match(b.last?.body ?? "", /This page has expired/);
    const json = await portal.app.inject({ method: "POST", url: "/signin/password", payload: { a: 1 } });
    assert.equal(json.statusCode, 415, "forms only");
    await b.get("/signin");
    const ok = await b.post("/signin/password", creds);
    assert.equal(ok.statusCode, 303, "the same POST with the token passes");
    const api = await portal.app.inject({ method: "POST", url: "/api/echo", payload: { a: 1 } });
    assert.deepEqual(api.json(), { echo: { a: 1 } }, "the API's JSON parser is untouched");
  });

  test("password then TOTP signs in; the session lands on a local return path only", async () => {
    const b = new InjectBrowser(portal.app);
    await b.get("/signin?return=//evil.example/x");
    let res = await b.post("/signin/password", { username: "Alice@Contoso.com", password: "s3cret-pass" });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/signin/factor");
    res = await b.get("/signin/factor");
    assert.match(res.body, /Signed in as <strong>alice@contoso.com<\/strong>/);
    clock += 30_000;
    res = await b.post("/signin/totp", { code: totpCodeAt(secret, clock) });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, "/security", "an off-site return path is ignored");
    assert.ok([...b.cookies.keys()].includes("hp_session"));
    assert.match(String(res.headers["set-cookie"]), /hp_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    res = await b.get("/security");
    assert.match(res.body, /alice@contoso.com/);
    const event = portal.backend.events.at(-1);
    assert.equal(event?.result, "success");
    assert.equal(event?.method, "totp");
  });

  test("a wrong password, an unknown user and a wrong code all get the one generic message", async () => {
    const b = new InjectBrowser(portal.app);
    await b.get("/signin");
    const wrong = await b.post("/signin/password", { username: "alice@contoso.com", password: "nope" });
    const unknown = await b.post("/signin/password", { username: "nobody@contoso.com", password: "nope" });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.ok(wrong.body.includes(GENERIC) && unknown.body.includes(GENERIC));
    await b.post("/signin/password", { username: "alice@contoso.com", password: "s3cret-pass" });
    await b.get("/signin/factor");
    const badCode = await b.post("/signin/totp", { code: "000000" });
    assert.equal(badCode.statusCode, 401);
    assert.ok(badCode.body.includes(GENERIC));
    // A code already used (replay) is refused the same way.
    clock += 30_000;
    const code = totpCodeAt(secret, clock);
    assert.equal((await b.post("/signin/totp", { code })).statusCode, 303);
    const again = new InjectBrowser(portal.app);
    await again.get("/signin");
    await again.post("/signin/password", { username: "alice@contoso.com", password: "s3cret-pass" });
    await again.get("/signin/factor");
    assert.equal((await again.post("/signin/totp", { code })).statusCode, 401, "replayed code");
  });

  test("five failures lock the name (known or not) even for the right password; the lock expires", async () => {
    portal.backend.addUser("bob@contoso.com", "bobs-password");
    for (const username of ["bob@contoso.com", "ghost@contoso.com"]) {
      const b = new InjectBrowser(portal.app);
      await b.get("/signin");
      for (let i = 0; i < 5; i++)
        assert.equal((await b.post("/signin/password", { username, password: `x${i}` })).statusCode, 401);
      const locked = await b.post("/signin/password", { username, password: "bobs-password" });
      assert.equal(locked.statusCode, 429);
      assert.match(locked.body, /Too many failed attempts. Try again in 15 minutes./);
      assert.equal(locked.headers["retry-after"], "900");
    }
    assert.ok(portal.backend.events.some((e) => e.result === "locked" && e.upn === "ghost@contoso.com"));
    clock += 15 * 60_000 + 1;
    const b = new InjectBrowser(portal.app);
    await b.get("/signin");
    assert.equal(
      (await b.post("/signin/password", { username: "bob@contoso.com", password: "bobs-password" }))
        .statusCode,
      303,
    );
  });

  test("an OAuth interaction shows the client, finishes with amr, and can be cancelled", async () => {
    const login = {
      kind: "login",
      clientId: "cli",
      clientName: "<b>hostpass CLI</b>",
      scopes: ["openid", "vm.login"],
      mfaRequired: false,
    } as const;
    portal.backend.interactions.set("uid-1", { ...login, uid: "uid-1" });
    portal.backend.interactions.set("uid-2", { ...login, uid: "uid-2" });
    const b = new InjectBrowser(portal.app);
    let res = await b.get("/interaction/uid-1");
    assert.match(res.body, /to continue to <strong>&lt;b&gt;hostpass CLI&lt;\/b&gt;<\/strong>/, "escaped");
    await b.post("/signin/password", { username: "alice@contoso.com", password: "s3cret-pass" });
    await b.get("/signin/factor");
    clock += 30_000;
    res = await b.post("/signin/totp", { code: totpCodeAt(secret, clock) });
    assert.equal(res.headers.location, "/test-client/callback?uid=uid-1");
    const outcome = portal.backend.outcomes.get("uid-1");
    assert.equal(outcome?.kind, "login");
    assert.deepEqual(outcome?.kind === "login" && outcome.amr, ["pwd", "otp", "mfa"]);
    assert.equal((await b.get("/interaction/uid-1")).statusCode, 404, "a finished interaction is gone");
    await b.get("/interaction/uid-2");
    res = await b.post("/signin/cancel", {});
    assert.equal(res.headers.location, "/test-client/callback?uid=uid-2");
    assert.deepEqual(portal.backend.outcomes.get("uid-2"), { kind: "abort" });
    assert.equal((await b.get("/interaction/bad%20uid")).statusCode, 404);
  });

  test("when policy requires MFA and the account has none, the password leads to enrolment, not to the client", async () => {
    portal.backend.interactions.set("uid-3", {
      uid: "uid-3",
      kind: "login",
      clientId: "cli",
      clientName: "hostpass CLI",
      scopes: ["vm.login"],
      mfaRequired: true,
    });
    const b = new InjectBrowser(portal.app);
    await b.get("/interaction/uid-3");
    const res = await b.post("/signin/password", {
      username: "plain@contoso.com",
      password: "correct horse",
    });
    assert.equal(res.headers.location, "/security?setup=required");
    assert.equal(portal.backend.outcomes.has("uid-3"), false);
    assert.match((await b.get("/security?setup=required")).body, /requires a second way to sign in/);

    // First factor with the password alone; the secret stays server-side until a code confirms it.
    let res2 = await b.get("/security/totp");
    assert.equal(res2.statusCode, 200);
    assert.match(res2.body, /<div class="qr"><svg /);
    const shown = /data-field="secret">([A-Z2-7 ]+)</.exec(res2.body)?.[1]?.replace(/ /g, "") ?? "";
    assert.match(shown, /^[A-Z2-7]{32}$/);
    res2 = await b.post("/security/totp", { code: "123456" });
    assert.equal(res2.statusCode, 400);
    assert.match(res2.body, /didn&#39;t match/);
    res2 = await b.post("/security/totp", { code: totpCodeAt(shown, clock) });
    assert.equal(res2.headers.location, "/security?done=totp");
    const plain = [...portal.backend.users.values()].find((u) => u.account.upn === "plain@contoso.com");
    assert.equal(plain?.totp?.secret, shown);
    // Now that the account has a factor, a password-only session cannot add another.
    res2 = await b.get("/security/passkeys");
    assert.equal(res2.statusCode, 303);
    assert.equal(res2.headers.location, "/signin?return=%2Fsecurity%2Fpasskeys");
  });
});
