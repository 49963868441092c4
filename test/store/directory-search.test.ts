/** Searching directory lists (the portal's assignee picker) on both dialects, and password flags. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  changeOwnPassword,
  createGroup,
  createServicePrincipal,
  createTenant,
  createUser,
  InvalidCredentialsError,
  isPasswordChangeRequired,
  setUserPassword,
  type Tenant,
} from "../../src/directory/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

for (const dialect of selectedDialects()) {
  describe(`directory search and password flags on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let tenant: Tenant;
    before(async () => {
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "search" });
      const tenantId = tenant.id;
      await createUser(store.directory, {
        tenantId,
        upn: "alice.admin@search.example",
        displayName: "Alice Admin",
      });
      await createUser(store.directory, {
        tenantId,
        upn: "bob@search.example",
        displayName: "Robert 100%_sure",
      });
      await createUser(store.directory, { tenantId, upn: "carol@other.example", displayName: "Carol" });
      await createGroup(store.directory, { tenantId, displayName: "Linux Admins" });
      await createServicePrincipal(store.directory, { tenantId, displayName: "deploy bot" });
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    const names = async (kind: "user" | "group" | "servicePrincipal", search: string) =>
      (await store.directory.listPrincipals(tenant.id, kind, { limit: 100 }, { search })).items
        .map((p) => p.displayName)
        .sort();

    it("matches display names and UPNs case-insensitively, by substring", async () => {
      assert.deepEqual(await names("user", "ADMIN"), ["Alice Admin"]);
      assert.deepEqual(await names("user", "search.example"), ["Alice Admin", "Robert 100%_sure"]);
      assert.deepEqual(await names("group", "admin"), ["Linux Admins"]);
      assert.deepEqual(await names("servicePrincipal", "BOT"), ["deploy bot"]);
    });

    it("takes LIKE's wildcards in the search literally", async () => {
      assert.deepEqual(await names("user", "%"), ["Robert 100%_sure"]);
      assert.deepEqual(await names("user", "_"), ["Robert 100%_sure"]);
      assert.deepEqual(await names("user", "!"), []);
      assert.deepEqual(await names("user", "a%n"), []);
    });

    it("pages through search results with the cursor", async () => {
      const first = await store.directory.listPrincipals(
        tenant.id,
        "user",
        { limit: 1 },
        { search: "example" },
      );
      assert.equal(first.items.length, 1);
      const rest = await store.directory.listPrincipals(
        tenant.id,
        "user",
        { limit: 10, cursor: first.nextCursor },
        { search: "example" },
      );
      assert.equal(rest.items.length, 2);
    });

    it("keeps 'must change password' with a temporary password and clears it on the user's own change", async () => {
      const tenantId = tenant.id;
      const dave = await createUser(store.directory, {
        tenantId,
        upn: "dave@search.example",
        displayName: "Dave",
        password: "temporary password 1",
        passwordChangeRequired: true,
      });
      assert.equal(await isPasswordChangeRequired(store.directory, tenantId, dave.id), true);
      await assert.rejects(
        changeOwnPassword(store.directory, {
          tenantId,
          userId: dave.id,
          currentPassword: "not the password 1",
          newPassword: "daves own password",
        }),
        InvalidCredentialsError,
      );
      await assert.rejects(
        changeOwnPassword(store.directory, {
          tenantId,
          userId: dave.id,
          newPassword: "temporary password 1",
        }),
        /different from the current one/,
      );
      await changeOwnPassword(store.directory, {
        tenantId,
        userId: dave.id,
        currentPassword: "temporary password 1",
        newPassword: "daves own password",
      });
      assert.equal(await isPasswordChangeRequired(store.directory, tenantId, dave.id), false);
      await setUserPassword(store.directory, tenantId, dave.id, "reset by an admin 1", {
        changeRequired: true,
      });
      assert.equal(await isPasswordChangeRequired(store.directory, tenantId, dave.id), true);
    });
  });
}
