import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

/** Bad input of any kind gets a clear 4xx with a stable code, and nothing is stored. */
describe("hostile input", () => {
  let s: StoreServer;
  let sub: string;
  const counts = async () => {
    const users = await s.store.directory.listPrincipals(s.tenantId, "user", { limit: 1000 });
    const groups = await s.store.resources.listChildren(sub.toLowerCase(), "resourceGroup", { limit: 1000 });
    return { users: users.items.length, groups: groups.items.length };
  };
  let baseline: { users: number; groups: number };
  before(async () => {
    s = await startStoreServer();
    sub = `/subscriptions/${s.boot.subscriptionId}`;
    baseline = await counts();
  });
  after(async () => {
    assert.deepEqual(await counts(), baseline, "nothing was stored by any hostile request");
    await s.close();
  });

  const send = (
    method: "POST" | "PUT" | "GET",
    url: string,
    body?: string,
    contentType = "application/json",
  ) =>
    s.app.inject({
      method,
      url,
      headers: { ...s.admin, "content-type": contentType },
      ...(body === undefined ? {} : { body }),
    });
  const expectError = async (response: Awaited<ReturnType<typeof send>>, status: number, code: string) => {
    assert.equal(response.statusCode, status, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body), ["error"]);
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, "string");
  };

  it("refuses an oversized body with 413 ERR_BODY_TOO_LARGE", async () => {
    const body = JSON.stringify({
      userPrincipalName: "big@contoso.example",
      displayName: "x".repeat(70 * 1024),
    });
    await expectError(await send("POST", "/directory/users", body), 413, "ERR_BODY_TOO_LARGE");
  });

  it("refuses deep nesting with 400 ERR_JSON_TOO_DEEP (even far below the size limit)", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    await expectError(
      await send(
        "POST",
        "/directory/users",
        `{"userPrincipalName":"d@contoso.example","displayName":${deep}}`,
      ),
      400,
      "ERR_JSON_TOO_DEEP",
    );
    const objects = `${'{"a":'.repeat(20)}1${"}".repeat(20)}`;
    await expectError(await send("POST", "/directory/users", objects), 400, "ERR_JSON_TOO_DEEP");
  });

  for (const key of ["__proto__", "constructor", "prototype"]) {
    it(`refuses a "${key}" key anywhere with 400 ERR_JSON_FORBIDDEN_KEY`, async () => {
      const top = `{"userPrincipalName":"p@contoso.example","displayName":"P","${key}":{"isAdmin":true}}`;
      await expectError(await send("POST", "/directory/users", top), 400, "ERR_JSON_FORBIDDEN_KEY");
      const nested = `{"location":"local","tags":{"${key}":"x"}}`;
      await expectError(
        await send("PUT", `${sub}/resourceGroups/proto`, nested),
        400,
        "ERR_JSON_FORBIDDEN_KEY",
      );
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });
  }

  it("refuses unknown properties, wrong types, invalid JSON, empty bodies and other media types", async () => {
    await expectError(
      await send(
        "POST",
        "/directory/users",
        '{"userPrincipalName":"u@contoso.example","displayName":"U","isAdmin":true}',
      ),
      400,
      "ERR_VALIDATION",
    );
    await expectError(
      await send("POST", "/directory/users", '{"userPrincipalName":42,"displayName":"U"}'),
      400,
      "ERR_VALIDATION",
    );
    await expectError(
      await send("POST", "/directory/users", '{"userPrincipalName":'),
      400,
      "ERR_INVALID_JSON",
    );
    await expectError(await send("POST", "/directory/users", ""), 400, "ERR_VALIDATION");
    await expectError(
      await send("POST", "/directory/users", "userPrincipalName=x", "application/x-www-form-urlencoded"),
      415,
      "ERR_UNSUPPORTED_MEDIA_TYPE",
    );
    await expectError(
      await send("POST", "/directory/users", "hi", "text/plain"),
      415,
      "ERR_UNSUPPORTED_MEDIA_TYPE",
    );
  });

  const badNames = [
    ["SQL", "x';DROP TABLE resources;--"],
    ["SQL quote only", "o'brien"],
    ["shell substitution", "$(reboot)"],
    ["backticks", "`id`"],
    ["semicolon", "a;b"],
    ["pipe", "a|b"],
    ["newline", "a\nb"],
    ["NUL", "a\u0000b"],
  ];
  for (const [what, name] of badNames) {
    it(`refuses a resource group name with ${what} with 400 and stores nothing`, async () => {
      const response = await send(
        "PUT",
        `${sub}/resourceGroups/${encodeURIComponent(name as string)}`,
        '{"location":"local"}',
      );
      assert.equal(response.statusCode, 400, response.body);
      assert.match(
        response.json().error.code,
        /^ERR_(VALIDATION|RESOURCE_INVALID_ID|RESOURCE_INVALID_INPUT|BAD_URL)$/,
      );
    });
  }

  const traversal = [
    "..",
    "%2e%2e",
    "%2E%2E",
    "..%2f..",
    "a%2fb",
    "%2f",
    "%252e%252e",
    "a%5cb",
    "%c0%ae%c0%ae",
  ];
  for (const segment of traversal) {
    it(`refuses traversal '${segment}' in a resource name with 4xx`, async () => {
      const response = await send(
        "PUT",
        `${sub}/resourceGroups/${segment}/providers/Compute/virtualMachines/vm1`,
        '{"image":"debian-12","adminUsername":"a"}',
      );
      assert.ok(
        response.statusCode >= 400 && response.statusCode < 500,
        `${response.statusCode} ${response.body}`,
      );
      assert.match(response.json().error.code, /^ERR_/);
      const show = await send("PUT", `${sub}/resourceGroups/${segment}`, '{"location":"local"}');
      assert.ok(show.statusCode >= 400 && show.statusCode < 500, `${show.statusCode} ${show.body}`);
    });
  }

  it("stores SQL and shell metacharacters verbatim where free text is allowed (parameterised queries)", async () => {
    const displayName = "Robert'); DROP TABLE principals;-- $(rm -rf /) `id`";
    const created = await send("POST", "/directory/groups", JSON.stringify({ displayName }));
    assert.equal(created.statusCode, 201, created.body);
    const shown = await send("GET", `/directory/groups/${created.json().id}`);
    assert.equal(shown.json().displayName, displayName);
    assert.equal((await send("GET", "/directory/users")).statusCode, 200);
  });

  it("refuses a UPN with quotes or shell characters", async () => {
    for (const upn of [
      "a'b@contoso.example",
      "a$(id)@contoso.example",
      "a b@contoso.example",
      "../x@contoso.example",
    ]) {
      const response = await send(
        "POST",
        "/directory/users",
        JSON.stringify({ userPrincipalName: upn, displayName: "X" }),
      );
      assert.equal(response.statusCode, 400, `${upn}: ${response.body}`);
    }
  });

  it("refuses an object id that is not a UUID before any lookup", async () => {
    await expectError(await send("GET", "/directory/groups/..%2f..%2fetc"), 400, "ERR_VALIDATION");
    await expectError(await send("GET", "/directory/groups/1%20OR%201=1"), 400, "ERR_VALIDATION");
  });

  it("hides 5xx details", async () => {
    const { toErrorResponse } = await import("../../src/server/plugins/error-handler.ts");
    const { status, body } = toErrorResponse(new Error("SQLITE_CORRUPT: at /var/lib/hostpass/hostpass.db"));
    assert.equal(status, 500);
    assert.deepEqual(body, { error: { code: "ERR_INTERNAL", message: "internal error" } });
  });
});
