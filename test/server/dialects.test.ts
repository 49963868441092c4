import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { after, describe, it } from "node:test";
import { createTestDatabase, selectedDialects } from "../store/dialects.ts";
import { tempDir } from "./helpers.ts";
import { startStoreServer } from "./store-server.ts";

/** The API on each store: SQLite file and the real PostgreSQL; state and RBAC survive a restart. */
for (const dialect of selectedDialects()) {
  describe(`API on ${dialect}`, () => {
    const db = createTestDatabase(dialect);
    let dataDir: string;
    after(async () => {
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("bootstraps once, serves, and after a restart keeps users, resources and role assignments", async () => {
      dataDir = await tempDir();
      const first = await startStoreServer({ url: db.url, dataDir });
      const rg = `/subscriptions/${first.boot.subscriptionId}/resourceGroups/LinuxVMs`;
      const vm = `${rg}/providers/Compute/virtualMachines/myVM`;
      let userId: string;
      try {
        assert.ok(first.boot.created.length >= 5, first.boot.created.join());
        const call = (method: "POST" | "PUT" | "GET", url: string, payload?: object) =>
          first.app.inject({ method, url, headers: first.admin, ...(payload ? { payload } : {}) });
        const user = await call("POST", "/directory/users", {
          userPrincipalName: "ops@contoso.example",
          displayName: "Ops",
        });
        assert.equal(user.statusCode, 201, user.body);
        userId = user.json().id;
        assert.equal((await call("PUT", rg, { location: "local" })).statusCode, 201);
        assert.equal(
          (await call("PUT", vm, { image: "debian-12", adminUsername: "localadmin", assignIdentity: true }))
            .statusCode,
          201,
        );
        const ra = await call("PUT", `${vm}/providers/Authorization/roleAssignments/${randomUUID()}`, {
          role: "Virtual Machine Administrator Login",
          assignee: "ops@contoso.example",
        });
        assert.equal(ra.statusCode, 201, ra.body);
      } finally {
        await first.close();
      }
      const second = await startStoreServer({ url: db.url, dataDir });
      try {
        assert.deepEqual(second.boot.created, [], "a later start changes nothing");
        assert.equal(second.boot.tenant.id, first.boot.tenant.id);
        const headers = await second.as(userId);
        const check = await second.app.inject({
          method: "POST",
          url: `${vm}/providers/Authorization/checkAccess`,
          headers,
          payload: { action: "Compute/virtualMachines/loginAsAdmin/action" },
        });
        assert.equal(check.json().allowed, true, check.body);
        const shown = await second.app.inject({ method: "GET", url: vm, headers: second.admin });
        assert.ok(shown.json().identity.principalId);
      } finally {
        await second.close();
      }
    });
  });
}
