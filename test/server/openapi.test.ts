import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("OpenAPI document", () => {
  let s: StoreServer;
  before(async () => {
    s = await startStoreServer();
  });
  after(() => s.close());

  it("is public and lists every route, each once, with a unique operation id and the error schema", async () => {
    const response = await s.app.inject({ method: "GET", url: "/openapi.json" });
    assert.equal(response.statusCode, 200);
    const doc = response.json();
    assert.equal(doc.openapi, "3.1.0");
    const documented = new Set<string>();
    const operationIds = new Set<string>();
    for (const [path, operations] of Object.entries(
      doc.paths as Record<string, Record<string, Record<string, unknown>>>,
    )) {
      for (const [method, op] of Object.entries(operations)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        assert.ok(
          typeof op.operationId === "string" && !operationIds.has(op.operationId),
          `operationId of ${method} ${path}`,
        );
        operationIds.add(op.operationId as string);
        assert.ok(
          (op.responses as Record<string, unknown>).default,
          `${method} ${path} documents the error shape`,
        );
        const url = path.replace(/\{([A-Za-z]+)\}/g, ":$1");
        assert.ok(
          s.app.hasRoute({ method: method.toUpperCase() as "GET", url }),
          `${method} ${path} is a real route`,
        );
      }
    }
    for (const route of s.app.documentedRoutes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      assert.ok(
        documented.has(`${route.method.toUpperCase()} ${path}`),
        `${route.method} ${route.url} is documented`,
      );
    }
    assert.equal(documented.size, s.app.documentedRoutes.length);
    assert.ok(documented.size > 80, `${documented.size} operations`);
    const createUser = doc.paths["/directory/users"].post;
    assert.equal(createUser.requestBody.content["application/json"].schema.additionalProperties, false);
    assert.deepEqual(createUser.security, [{ bearer: [] }]);
    assert.deepEqual(doc.paths["/.well-known/jwks.json"].get.security, []);
  });

  it("every request body schema forbids unknown properties", async () => {
    const doc = (await s.app.inject({ method: "GET", url: "/openapi.json" })).json();
    for (const [path, operations] of Object.entries(
      doc.paths as Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> } }
        >
      >,
    )) {
      for (const [method, op] of Object.entries(operations)) {
        const schema = op.requestBody?.content["application/json"]?.schema;
        if (schema) assert.equal(schema.additionalProperties, false, `${method} ${path}`);
      }
    }
  });
});
