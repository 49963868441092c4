import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser } from "./support/browser.ts";
import { approve, enterCode, poll, sleep, startDeviceFlow, USER_CODE, xsrfOf } from "./support/device.ts";
import { type Harness, startHarness, TENANT } from "./support/harness.ts";

describe("device authorization grant (RFC 8628)", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ config: { deviceFlow: { intervalSeconds: 1, maxUserCodeFailures: 5 } } });
  });
  after(() => h.close());

  it("signs the CLI in: base-20 user code, interval, approval page with client, IP and scopes", async () => {
    const user = h.accounts.addUser(TENANT, "device@contoso.example");
    const flow = await startDeviceFlow(h);
    assert.match(flow.user_code, USER_CODE);
    assert.equal(flow.interval, 1);
    assert.ok(flow.device_code.length >= 40, "device code has high entropy");
    assert.equal((await poll(h, flow.device_code)).body.error, "authorization_pending");

    const browser = new Browser();
    const approval = await enterCode(h, browser, flow.user_code.toLowerCase().replace("-", " "));
    assert.equal(approval.status, 200);
    const html = await approval.text();
    assert.match(html, /data-field="client">hostpass CLI \(/);
    assert.match(html, /data-field="ip">(::ffff:)?127\.0\.0\.1</);
    assert.match(html, /data-field="scopes">[^<]*vm\.login[^<]*urn:hostpass:linux-vm-sign-in/);
    assert.match(approval.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);

    h.signIn = { accountId: user.id, amr: ["pwd", "mfa"] };
    const done = await approve(h, browser, flow.user_code, html);
    assert.equal(done.status, 200);
    assert.match(await done.text(), /signed in/);

    await sleep(1100);
    const tokens = await poll(h, flow.device_code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    const at = await h.server.verifyLinuxSignInToken(String(tokens.body.access_token));
    assert.equal(at.objectId, user.id);
    assert.deepEqual(at.amr, ["pwd", "mfa"]);

    await sleep(1100);
    const again = await poll(h, flow.device_code);
    assert.equal(again.body.error, "invalid_grant", "a device code is good for one token response");
  });

  it("answers slow_down to polling faster than the interval, and raises the interval by 5 s", async () => {
    const flow = await startDeviceFlow(h);
    assert.equal((await poll(h, flow.device_code)).body.error, "authorization_pending");
    assert.equal((await poll(h, flow.device_code)).body.error, "slow_down");
    await sleep(1100);
    assert.equal((await poll(h, flow.device_code)).body.error, "slow_down", "the interval is now 6 s");
  });

  it("refuses a denied request with access_denied", async () => {
    const flow = await startDeviceFlow(h);
    const browser = new Browser();
    const html = await (await enterCode(h, browser, flow.user_code)).text();
    await browser.request(`${h.issuer}/device`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ xsrf: xsrfOf(html), user_code: flow.user_code, abort: "yes" }),
    });
    assert.equal((await poll(h, flow.device_code)).body.error, "access_denied");
  });

  it("locks user-code entry from a source after 5 wrong codes, even for the right code", async () => {
    const guesser = await startHarness({ config: { deviceFlow: { intervalSeconds: 1 } } });
    try {
      const flow = await startDeviceFlow(guesser);
      const browser = new Browser();
      for (let i = 0; i < 5; i++) {
        const page = await enterCode(guesser, browser, "BCDF-GHJK");
        assert.equal(page.status, 200);
        assert.match(await page.text(), /not found/);
      }
      const locked = await enterCode(guesser, browser, flow.user_code);
      assert.equal(locked.status, 429);
      assert.match(await locked.text(), /too many wrong codes/);
    } finally {
      await guesser.close();
    }
  });

  it("locks per source address (behind a trusted proxy, per X-Forwarded-For)", async () => {
    const proxied = await startHarness({ config: { trustProxy: true, deviceFlow: { intervalSeconds: 1 } } });
    try {
      const flow = await startDeviceFlow(proxied);
      const attacker = { "x-forwarded-for": "198.51.100.7" };
      const victim = { "x-forwarded-for": "203.0.113.9" };
      const browser = new Browser();
      for (let i = 0; i < 5; i++) await enterCode(proxied, browser, "BCDF-GHJK", attacker);
      assert.equal((await enterCode(proxied, browser, flow.user_code, attacker)).status, 429);
      const page = await enterCode(proxied, new Browser(), flow.user_code, victim);
      assert.equal(page.status, 200);
      assert.match(
        await page.text(),
        /data-field="ip">(::ffff:)?127\.0\.0\.1</,
        "the device request came from 127.0.0.1",
      );
    } finally {
      await proxied.close();
    }
  });

  it("refuses polling and approval once the device code has expired", async () => {
    const short = await startHarness({
      config: { deviceFlow: { intervalSeconds: 1, deviceCodeTtlSeconds: 1 } },
    });
    try {
      const flow = await startDeviceFlow(short);
      await sleep(1500);
      assert.equal((await poll(short, flow.device_code)).body.error, "expired_token");
      const page = await enterCode(short, new Browser(), flow.user_code);
      assert.doesNotMatch(await page.text(), /data-field="client"/, "no approval page for an expired code");
    } finally {
      await short.close();
    }
  });

  it("gives a disabled user no tokens even after approval", async () => {
    const user = h.accounts.addUser(TENANT, "device-disabled@contoso.example");
    const flow = await startDeviceFlow(h);
    const browser = new Browser();
    const html = await (await enterCode(h, browser, flow.user_code)).text();
    h.signIn = { accountId: user.id, amr: ["pwd"] };
    await approve(h, browser, flow.user_code, html);
    h.accounts.setUserEnabled(user.id, false);
    await sleep(1100);
    assert.equal((await poll(h, flow.device_code)).body.error, "invalid_grant");
  });
});
