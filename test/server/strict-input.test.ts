/**
 * Strict input (issue 11 item 7): a JSON body that names a member twice is refused, and no field
 * is coerced to its schema's type: every type is tried with the values a coercing validator would
 * have turned into it, on a real route, next to a control that the same route accepts.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("strict input: duplicate keys and no type coercion", () => {
  let s: StoreServer;
  let sub: string;
  let userId: string;
  let spId: string;
  before(async () => {
    s = await startStoreServer();
    sub = `/subscriptions/${s.boot.subscriptionId}`;
    const user = await send("POST", "/directory/users", {
      userPrincipalName: "t@contoso.example",
      displayName: "T",
    });
    assert.equal(user.statusCode, 201, user.body);
    userId = user.json().id;
    const sp = await send("POST", "/directory/servicePrincipals", { displayName: "robot" });
    assert.equal(sp.statusCode, 201, sp.body);
    spId = sp.json().id;
  });
  after(() => s.close());

  function send(method: "POST" | "PUT" | "PATCH" | "GET", url: string, body?: unknown) {
    return s.app.inject({
      method,
      url,
      headers: { ...s.admin, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  }
  async function refused(response: Awaited<ReturnType<typeof send>>, code: string) {
    assert.equal(response.statusCode, 400, response.body);
    assert.equal(response.json().error.code, code);
  }
  const users = async () =>
    (await s.store.directory.listPrincipals(s.tenantId, "user", { limit: 1000 })).items.map(
      (u) => u.displayName,
    );

  describe("a member named twice in one object: 400 ERR_JSON_DUPLICATE_KEY, nothing stored", () => {
    const bodies: Array<[string, string]> = [
      ["top level", '{"userPrincipalName":"d1@contoso.example","displayName":"A","displayName":"B"}'],
      [
        "escaped spelling",
        '{"userPrincipalName":"d2@contoso.example","displayName":"A","display\\u004eame":"B"}',
      ],
      [
        "the same value twice",
        '{"userPrincipalName":"d3@contoso.example","displayName":"A","displayName":"A"}',
      ],
    ];
    for (const [what, body] of bodies) {
      it(what, async () => {
        const before = await users();
        await refused(await send("POST", "/directory/users", body), "ERR_JSON_DUPLICATE_KEY");
        assert.deepEqual(await users(), before);
      });
    }

    it("nested in an array of objects (a role definition's permissions)", async () => {
      const body = `{"roleName":"dup","permissions":[{"actions":["*/read"],"actions":["*"]}],"assignableScopes":["${sub}"]}`;
      const url = `${sub}/providers/Authorization/roleDefinitions/${randomUUID()}`;
      await refused(await send("PUT", url, body), "ERR_JSON_DUPLICATE_KEY");
    });

    it("while the same names in different objects are fine", async () => {
      const body = { location: "local", tags: { location: "x", tags: "y" } };
      const created = await send("PUT", `${sub}/resourceGroups/dups-ok`, body);
      assert.equal(created.statusCode, 201, created.body);
    });
  });

  describe("no coercion: a value of another type is refused with 400 ERR_VALIDATION", () => {
    it("boolean (accountEnabled): refuses 'false', 0, 1, '0', null, [false], {}; accepts false", async () => {
      for (const value of ["false", "true", 0, 1, "0", null, [false], {}]) {
        const response = await send("PATCH", `/directory/users/${userId}`, { accountEnabled: value });
        await refused(response, "ERR_VALIDATION");
      }
      const user = await s.store.directory.getPrincipal(s.tenantId, userId);
      assert.equal(user?.enabled, true, "no refused request changed the user");
      const control = await send("PATCH", `/directory/users/${userId}`, { accountEnabled: false });
      assert.equal(control.statusCode, 200, control.body);
      assert.equal(control.json().accountEnabled, false);
    });

    it("integer (a secret's years): refuses '1', true, [1], 1.5, null; accepts 1", async () => {
      const url = `/directory/servicePrincipals/${spId}/secrets`;
      for (const value of ["1", true, [1], 1.5, null]) {
        await refused(await send("POST", url, { years: value }), "ERR_VALIDATION");
      }
      assert.equal((await s.store.directory.listClientSecrets(s.tenantId, spId)).length, 0);
      const control = await send("POST", url, { years: 1 });
      assert.equal(control.statusCode, 201, control.body);
    });

    it("string (displayName): refuses 42, true, null, ['x'], {}; accepts 'x'", async () => {
      for (const value of [42, true, null, ["x"], {}]) {
        const body = {
          userPrincipalName: `s${String(Math.random()).slice(2, 8)}@contoso.example`,
          displayName: value,
        };
        await refused(await send("POST", "/directory/users", body), "ERR_VALIDATION");
      }
      const control = await send("POST", "/directory/users", {
        userPrincipalName: "ok@contoso.example",
        displayName: "x",
      });
      assert.equal(control.statusCode, 201, control.body);
    });

    it("array (a role's actions): refuses a bare string, a number, an object; accepts a list", async () => {
      const url = (id: string) => `${sub}/providers/Authorization/roleDefinitions/${id}`;
      const role = (actions: unknown) => ({
        roleName: `r-${randomUUID()}`,
        permissions: [{ actions }],
        assignableScopes: [sub],
      });
      for (const value of ["*/read", 1, { 0: "*/read" }]) {
        await refused(await send("PUT", url(randomUUID()), role(value)), "ERR_VALIDATION");
      }
      const control = await send("PUT", url(randomUUID()), role(["*/read"]));
      assert.ok(control.statusCode === 200 || control.statusCode === 201, control.body);
    });

    it("object (tags): refuses a string, a list, null; accepts an object", async () => {
      for (const value of ["a=b", [["a", "b"]], null]) {
        const response = await send("PUT", `${sub}/resourceGroups/tags-${randomUUID()}`, {
          location: "local",
          tags: value,
        });
        await refused(response, "ERR_VALIDATION");
      }
      const control = await send("PUT", `${sub}/resourceGroups/tags-ok`, {
        location: "local",
        tags: { a: "b" },
      });
      assert.equal(control.statusCode, 201, control.body);
    });

    it("query `top`: digits 1-1000 only, once", async () => {
      for (const top of ["0", "1001", "01", "1.5", "1e2", "-1", "abc", "", " 5", "true"]) {
        const response = await send("GET", `/directory/users?top=${encodeURIComponent(top)}`);
        await refused(response, "ERR_VALIDATION");
      }
      await refused(await send("GET", "/directory/users?top=1&top=2"), "ERR_VALIDATION");
      const one = await send("GET", "/directory/users?top=1");
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json().value.length, 1);
      assert.match(one.json().nextLink, /skipToken=/);
      assert.equal((await send("GET", "/directory/users?top=1000")).statusCode, 200);
    });
  });
});
