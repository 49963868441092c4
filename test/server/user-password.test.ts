/**
 * Password resets through the API (`password` + `forceChangePasswordNextSignIn`) and the "must change at next sign-in"
 * flag they set, on the real store; the bootstrap administrator's generated password has it too.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { authenticateUser, isPasswordChangeRequired } from "../../src/directory/index.ts";
import { bootstrap } from "../../src/server/bootstrap.ts";
import { wireServices } from "../../src/server/wire-services.ts";
import { openStore } from "../../src/store/index.ts";
import { type StoreServer, startStoreServer } from "./store-server.ts";

describe("user passwords through the API", () => {
  let s: StoreServer;
  let userId: string;
  before(async () => {
    s = await startStoreServer();
    const created = await s.app.inject({
      method: "POST",
      url: "/directory/users",
      headers: s.admin,
      payload: {
        userPrincipalName: "pat@hostpass.local",
        displayName: "Pat",
        password: "a temporary password 1",
        forceChangePasswordNextSignIn: true,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    userId = created.json().id;
  });
  after(() => s.close());

  const patch = (payload: unknown, headers = s.admin) =>
    s.app.inject({ method: "PATCH", url: `/directory/users/${userId}`, headers, payload: payload as object });
  const mustChange = () => isPasswordChangeRequired(s.store.directory, s.tenantId, userId);

  it("creates a user whose first password must be changed", async () => {
    assert.equal(await mustChange(), true);
  });

  it("resets a password that the user must change at the next sign-in, or one they may keep", async () => {
    const reset = await patch({ password: "reset by the admin 1", forceChangePasswordNextSignIn: true });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(reset.json().id, userId);
    assert.equal(await mustChange(), true);
    await authenticateUser(s.store.directory, s.tenantId, "pat@hostpass.local", "reset by the admin 1");
    const kept = await patch({ password: "reset again, kept 1" });
    assert.equal(kept.statusCode, 200, kept.body);
    assert.equal(await mustChange(), false);
  });

  it("refuses a password that breaks the rules, an empty change and a caller without the role", async () => {
    const short = await patch({ password: "short" });
    assert.equal(short.statusCode, 400);
    assert.equal(short.json().error.code, "ERR_DIRECTORY_INVALID_INPUT");
    const empty = await patch({});
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.code, "ERR_VALIDATION");
    const stranger = await patch({ password: "not allowed to set 1" }, await s.as(userId));
    assert.equal(stranger.statusCode, 403);
    await authenticateUser(s.store.directory, s.tenantId, "pat@hostpass.local", "reset again, kept 1");
  });

  it("gives the bootstrap administrator's generated password, and only that one, a change requirement", async () => {
    for (const adminPassword of [undefined, "chosen by the operator 1"]) {
      const store = await openStore({ url: "sqlite::memory:", keyEncryptionKey: randomBytes(32) });
      const services = wireServices(store);
      try {
        const boot = await bootstrap(
          store,
          services.rbac,
          adminPassword === undefined ? {} : { adminPassword },
        );
        assert.equal(
          await isPasswordChangeRequired(store.directory, boot.tenant.id, boot.adminId),
          adminPassword === undefined,
        );
      } finally {
        await services.close();
        await store.close();
      }
    }
  });
});
