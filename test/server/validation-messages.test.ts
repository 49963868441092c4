/**
 * Refusals of bad input say, in words, which field, where and what is allowed (new-user trial,
 * server side, finding 3): never a regular expression or JSON-schema text, never "no route" for a
 * scope that is not one, and a name of 5000 characters gets its field and limit, not a bare 414.
 * Every pattern in the API's schemas has its words.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { patternWords } from "../../src/server/plugins/validation-message.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("refusals of bad input in words", () => {
  let s: StoreServer;
  let sub: string;
  before(async () => {
    s = await startStoreServer();
    sub = `/subscriptions/${s.boot.subscriptionId}`;
  });
  after(() => s?.close());

  const send = (method: "GET" | "PUT" | "POST", url: string, body?: unknown) =>
    s.app.inject({
      method,
      url,
      headers: { ...s.admin, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const refusal = async (response: Awaited<ReturnType<typeof send>>, status: number) => {
    assert.equal(response.statusCode, status, response.body);
    const error = response.json().error as { code: string; message: string; field?: string; in?: string };
    assert.doesNotMatch(error.message, /\^|\$"|must match pattern|must NOT have|required property/);
    return error;
  };

  it("a bad name: the characters allowed, in words", async () => {
    const error = await refusal(
      await send("PUT", `${sub}/resourceGroups/bad%20name!`, { location: "l" }),
      400,
    );
    assert.deepEqual(error, {
      code: "ERR_VALIDATION",
      message:
        "resourceGroupName in the URL may contain only letters, digits and the characters _ . ( ) ~ - (1 to 90 of them), and not only dots",
      field: "resourceGroupName",
      in: "params",
    });
  });

  it("a 5000-character name: which field is too long and the limit, and the refusal is recorded", async () => {
    const response = await send("PUT", `${sub}/resourceGroups/${"x".repeat(5000)}`, { location: "l" });
    const error = await refusal(response, 400);
    assert.equal(error.message, "resourceGroupName in the URL is too long: at most 90 characters");
    const record = (
      await s.store.audit.query(
        { tenantId: s.tenantId, correlationId: response.headers["x-request-id"] as string },
        { limit: 10 },
      )
    ).items[0];
    assert.equal(record?.result, "failure");
    assert.equal(record?.target.length, 512, "the target is the path, cut to the log's limit");
    assert.deepEqual(s.services.backgroundErrors.health().sources, []);
  });

  it("a long body field: which one and its limit", async () => {
    const error = await refusal(
      await send("POST", "/directory/users", {
        userPrincipalName: "a@contoso.example",
        displayName: "x".repeat(5000),
      }),
      400,
    );
    assert.equal(error.message, "displayName in the request body is too long: at most 256 characters");
    assert.equal(error.field, "displayName");
  });

  it("a missing field: which one", async () => {
    const error = await refusal(
      await send("POST", "/directory/identityProviders", { name: "up1", issuer: "https://idp.example" }),
      400,
    );
    assert.equal(error.message, "the request body is missing clientId, which is required");
    assert.equal(error.field, "clientId");
    assert.equal(error.in, "body");
  });

  it("a wrong type, an unknown field, a bad query value", async () => {
    const wrong = await refusal(
      await send("POST", "/directory/users", {
        userPrincipalName: "a@contoso.example",
        displayName: "A",
        accountEnabled: "yes",
      }),
      400,
    );
    assert.equal(wrong.message, "accountEnabled in the request body must be true or false");
    const unknown = await refusal(await send("GET", "/directory/users?colour=red"), 400);
    assert.equal(unknown.message, "the query string has an unknown field colour");
    const top = await refusal(await send("GET", "/directory/users?top=5000"), 400);
    assert.equal(top.message, "top in the query string must be a whole number from 1 to 1000");
  });

  it("a scope that is not one: says so with a code, never 'no route'", async () => {
    const id = randomUUID();
    const bogus = await refusal(
      await send("PUT", `/bogus/thing/providers/Authorization/roleAssignments/${id}`, {}),
      400,
    );
    assert.equal(bogus.code, "ERR_RESOURCE_INVALID_ID");
    assert.match(
      bogus.message,
      /^"\/bogus\/thing" is not a valid scope: .*a scope is "\/" or the id of a management group/,
    );
    const lower = await refusal(
      await send("GET", `${sub}/resourcegroups/rg1/providers/Authorization/roleAssignments`),
      400,
    );
    assert.equal(lower.code, "ERR_RBAC_INVALID_SCOPE");
    assert.equal(
      lower.message,
      `"${sub}/resourcegroups/rg1" is not a valid scope: write it as ${sub}/resourceGroups/rg1`,
    );
    const other = await refusal(await send("GET", "/nothing/here"), 404);
    assert.equal(other.code, "ERR_NOT_FOUND");
  });

  it("every pattern in /openapi.json has its words", async () => {
    const doc = (await send("GET", "/openapi.json")).json();
    const missing = new Set<string>();
    let patterns = 0;
    const walk = (value: unknown) => {
      if (typeof value !== "object" || value === null) return;
      const pattern = (value as { pattern?: unknown }).pattern;
      if (typeof pattern === "string") {
        patterns++;
        if (patternWords(pattern) === undefined) missing.add(pattern);
      }
      for (const child of Object.values(value)) walk(child);
    };
    walk(doc);
    assert.ok(patterns > 100, `${patterns} patterns`);
    assert.deepEqual([...missing], []);
  });
});
