import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("directory routes on the real store", () => {
  let s: StoreServer;
  before(async () => {
    s = await startStoreServer();
  });
  after(() => s.close());

  const call = (
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    payload?: object,
    headers = s.admin,
  ) => s.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

  it("creates, shows (by id and UPN), lists, disables and deletes a user", async () => {
    const created = await call("POST", "/directory/users", {
      userPrincipalName: "Alice@Contoso.example",
      displayName: "Alice",
      password: "a long enough password",
    });
    assert.equal(created.statusCode, 201, created.body);
    const alice = created.json();
    assert.equal(alice.linuxName, "alice@contoso.example");
    assert.ok(alice.uid >= 100000);
    assert.equal(
      (await call("GET", `/directory/users/${alice.id}`)).json().userPrincipalName,
      "Alice@Contoso.example",
    );
    assert.equal((await call("GET", "/directory/users/alice@contoso.example")).json().id, alice.id);
    const list = (await call("GET", "/directory/users?top=1")).json();
    assert.equal(list.value.length, 1);
    assert.ok(list.nextLink);
    const disabled = await call("PATCH", `/directory/users/${alice.id}`, { accountEnabled: false });
    assert.equal(disabled.json().accountEnabled, false);
    // A disabled user's token stops working at once.
    const asAlice = await s.as(alice.id);
    const me = await s.app.inject({ method: "GET", url: "/me", headers: asAlice });
    assert.equal(me.statusCode, 401);
    assert.equal((await call("DELETE", `/directory/users/${alice.id}`)).statusCode, 204);
    assert.equal((await call("GET", `/directory/users/${alice.id}`)).statusCode, 404);
  });

  it("stops a signed-in user's calls within the 1 s principal-check window after disabling", async () => {
    const dana = (
      await call("POST", "/directory/users", {
        userPrincipalName: "dana@contoso.example",
        displayName: "Dana",
      })
    ).json();
    const headers = await s.as(dana.id);
    assert.equal((await s.app.inject({ method: "GET", url: "/me", headers })).statusCode, 200);
    assert.equal(
      (await call("PATCH", `/directory/users/${dana.id}`, { accountEnabled: false })).statusCode,
      200,
    );
    const started = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - started < 3000) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await s.app.inject({ method: "GET", url: "/me", headers })).statusCode;
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - started <= 1500, `refused after ${Date.now() - started} ms`);
  });

  it("conflicts on a duplicate UPN in any case", async () => {
    const body = { userPrincipalName: "bob@contoso.example", displayName: "Bob" };
    assert.equal((await call("POST", "/directory/users", body)).statusCode, 201);
    const again = await call("POST", "/directory/users", {
      ...body,
      userPrincipalName: "BOB@contoso.example",
    });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, "ERR_DIRECTORY_UPN_TAKEN");
  });

  it("nests groups, lists members and refuses a cycle", async () => {
    const outer = (await call("POST", "/directory/groups", { displayName: "LinuxAdmins" })).json();
    const inner = (await call("POST", "/directory/groups", { displayName: "Oncall" })).json();
    assert.equal(
      (await call("POST", `/directory/groups/${outer.id}/members`, { memberId: inner.id })).statusCode,
      204,
    );
    const members = (await call("GET", `/directory/groups/${outer.id}/members`)).json();
    assert.deepEqual(
      members.value.map((m: { id: string }) => m.id),
      [inner.id],
    );
    const cycle = await call("POST", `/directory/groups/${inner.id}/members`, { memberId: outer.id });
    assert.equal(cycle.statusCode, 409);
    assert.equal((await call("DELETE", `/directory/groups/${outer.id}/members/${inner.id}`)).statusCode, 204);
    assert.equal((await call("DELETE", `/directory/groups/${outer.id}/members/${inner.id}`)).statusCode, 404);
  });

  it("creates a service principal with a secret shown once", async () => {
    const sp = await call("POST", "/directory/servicePrincipals", { displayName: "deploy bot" });
    assert.equal(sp.statusCode, 201, sp.body);
    const { id, appId, linuxName } = sp.json();
    assert.notEqual(linuxName, "deploy bot");
    const secret = await call("POST", `/directory/servicePrincipals/${id}/secrets`, {});
    assert.equal(secret.statusCode, 201, secret.body);
    assert.ok(secret.json().secretText.length >= 32);
    assert.equal((await call("GET", `/directory/servicePrincipals/${id}`)).json().appId, appId);
  });

  it("refuses directory writes to a user without a role", async () => {
    const carol = (
      await call("POST", "/directory/users", {
        userPrincipalName: "carol@contoso.example",
        displayName: "Carol",
      })
    ).json();
    const response = await call(
      "POST",
      "/directory/users",
      { userPrincipalName: "mallory@contoso.example", displayName: "M" },
      await s.as(carol.id),
    );
    assert.equal(response.statusCode, 403);
    assert.equal((await call("GET", "/directory/users/mallory@contoso.example")).statusCode, 404);
  });

  it("writes every change to the hash-chained audit log", async () => {
    const { queryAuditEvents, verifyAuditChain } = await import("../../src/audit/index.ts");
    const page = await queryAuditEvents(
      s.store.audit,
      { tenantId: s.tenantId, action: "Directory/users/write" },
      { limit: 100 },
    );
    assert.ok(page.items.some((e) => e.result === "denied"));
    assert.ok(page.items.filter((e) => e.result === "success").length >= 3);
    const verification = await verifyAuditChain(s.store.audit);
    assert.equal(verification.ok, true);
  });
});
