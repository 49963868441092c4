/**
 * Ending sign-in sessions through the API (issue 11 item 4): revokeSignInSessions for users and
 * service principals, disabling, re-enabling; tokens from before refused, tokens from after
 * accepted, the principal's certificates revoked, the change in the activity log.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validCertificateOf } from "./helpers.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

/** The API reuses the directory's answer about a principal for 1 s (wire-services.ts). */
const principalCheckWindow = () => new Promise((r) => setTimeout(r, 1100));

describe("revoking sign-in sessions through the API", () => {
  let s: StoreServer;
  before(async () => {
    s = await startStoreServer();
  });
  after(() => s.close());

  const call = (method: "GET" | "POST" | "PATCH", url: string, payload?: object, headers = s.admin) =>
    s.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  const me = async (headers: Record<string, string>) =>
    (await call("GET", "/me", undefined, headers)).statusCode;
  /** A token as the authorization server would have issued it `offsetMs` from now. */
  const tokenAt = async (objectId: string, offsetMs: number, type: "user" | "servicePrincipal" = "user") => ({
    authorization: `Bearer ${await s.token({ objectId, tenantId: s.tenantId, type }, { now: Date.now() + offsetMs })}`,
  });
  let serial = 90_000n;
  const certificateOf = (objectId: string) => validCertificateOf(s.tenantId, objectId, ++serial);

  it("a user's: tokens from before refused, later ones fine, certificates revoked, still enabled, audited", async () => {
    const alice = (
      await call("POST", "/directory/users", { userPrincipalName: "alice@contoso.example", displayName: "A" })
    ).json();
    const old = await tokenAt(alice.id, -5_000);
    assert.equal(await me(old), 200);
    const certificate = certificateOf(alice.id);
    await s.store.certificates.record(certificate);

    const revoked = await call("POST", "/directory/users/Alice@Contoso.example/revokeSignInSessions");
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().value, true);
    assert.equal(revoked.json().certificatesRevoked, 1);
    const validFrom = Date.parse(revoked.json().signInSessionsValidFromDateTime);
    assert.ok(Math.abs(validFrom - Date.now()) < 5_000);
    assert.notEqual((await s.store.certificates.get(certificate.serial))?.revokedAt, undefined);

    await principalCheckWindow();
    assert.equal(await me(old), 401, "a token from before the revocation");
    assert.equal(await me(await tokenAt(alice.id, 2_000)), 200, "a token from a later sign-in");
    const shown = (await call("GET", `/directory/users/${alice.id}`)).json();
    assert.equal(shown.accountEnabled, true);
    assert.equal(Date.parse(shown.signInSessionsValidFromDateTime), validFrom);

    const log = await call(
      "GET",
      `/providers/Insights/eventtypes/management/values?target=${alice.id}&action=Directory/users/revokeSignInSessions/action`,
    );
    assert.equal(log.statusCode, 200, log.body);
    assert.equal(log.json().value.length, 1);
    assert.equal(log.json().value[0].result, "success");
    assert.equal(log.json().value[0].actor, s.boot.adminId);
  });

  it("disabling then re-enabling a service principal brings none of its old tokens back", async () => {
    const sp = (await call("POST", "/directory/servicePrincipals", { displayName: "robot" })).json();
    const old = await tokenAt(sp.id, -5_000, "servicePrincipal");
    assert.equal(await me(old), 200);
    const certificate = certificateOf(sp.id);
    await s.store.certificates.record(certificate);
    const off = await call("PATCH", `/directory/servicePrincipals/${sp.id}`, { accountEnabled: false });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().accountEnabled, false);
    assert.notEqual((await s.store.certificates.get(certificate.serial))?.revokedAt, undefined);
    const on = await call("PATCH", `/directory/servicePrincipals/${sp.id}`, { accountEnabled: true });
    assert.equal(on.json().accountEnabled, true);
    assert.equal(typeof on.json().signInSessionsValidFromDateTime, "string");
    await principalCheckWindow();
    assert.equal(await me(old), 401);
    assert.equal(await me(await tokenAt(sp.id, 2_000, "servicePrincipal")), 200);
  });

  it("a service principal's revokeSignInSessions; each route only finds its own kind", async () => {
    const sp = (await call("POST", "/directory/servicePrincipals", { displayName: "robot 2" })).json();
    const user = (
      await call("POST", "/directory/users", { userPrincipalName: "bob@contoso.example", displayName: "B" })
    ).json();
    const group = (await call("POST", "/directory/groups", { displayName: "ops" })).json();
    const revoked = await call("POST", `/directory/servicePrincipals/${sp.id}/revokeSignInSessions`);
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json().certificatesRevoked, 0);
    for (const url of [
      `/directory/servicePrincipals/${user.id}/revokeSignInSessions`,
      `/directory/servicePrincipals/${group.id}/revokeSignInSessions`,
      `/directory/users/${sp.id}/revokeSignInSessions`,
      `/directory/users/${group.id}/revokeSignInSessions`,
      "/directory/users/nobody@contoso.example/revokeSignInSessions",
    ]) {
      const response = await call("POST", url);
      assert.equal(response.statusCode, 404, `${url}: ${response.body}`);
    }
    assert.equal(
      (await call("GET", `/directory/users/${user.id}`)).json().signInSessionsValidFromDateTime,
      undefined,
    );
  });

  it("needs the permission: a user without a role cannot revoke anyone, not even the admin", async () => {
    const eve = (
      await call("POST", "/directory/users", { userPrincipalName: "eve@contoso.example", displayName: "E" })
    ).json();
    const asEve = await tokenAt(eve.id, 0);
    const response = await call(
      "POST",
      `/directory/users/${s.boot.adminId}/revokeSignInSessions`,
      undefined,
      asEve,
    );
    assert.equal(response.statusCode, 403, response.body);
    const admin = (await call("GET", `/directory/users/${s.boot.adminId}`)).json();
    assert.equal(admin.signInSessionsValidFromDateTime, undefined);
  });
});
