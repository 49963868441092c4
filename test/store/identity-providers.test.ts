/**
 * Every tenant's identity providers in one query (the sign-in page's list, issue 13) on both
 * dialects: with their tenants' names, enabled or not, ordered by tenant then provider name; a
 * tenant's deletion takes its providers with it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTenant, type Tenant } from "../../src/directory/index.ts";
import { addIdentityProvider, updateIdentityProvider } from "../../src/federation/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

for (const dialect of selectedDialects()) {
  describe(`identity providers of every tenant on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let zeta: Tenant;
    let alpha: Tenant;
    const add = (tenantId: string, name: string) =>
      addIdentityProvider(
        store.identityProviders,
        tenantId,
        {
          name,
          displayName: name.toUpperCase(),
          issuer: `https://${name}.example`,
          clientId: "hp",
          clientSecret: "s",
        },
        new Date(),
      );
    before(async () => {
      store = await database.open();
      zeta = await createTenant(store.directory, { name: "zeta", displayName: "Zeta Corp" });
      alpha = await createTenant(store.directory, { name: "alpha", displayName: "Alpha Inc" });
      await add(zeta.id, "okta");
      await add(alpha.id, "okta");
      const entra = await add(alpha.id, "entra");
      await updateIdentityProvider(
        store.identityProviders,
        alpha.id,
        entra.id,
        { enabled: false },
        new Date(),
      );
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("lists them all with their tenants' names, in tenant then provider order", async () => {
      const all = await store.identityProviders.listAllIdentityProviders();
      assert.deepEqual(
        all.map((p) => [p.tenantName, p.tenantDisplayName, p.provider.name, p.provider.enabled]),
        [
          ["alpha", "Alpha Inc", "entra", false],
          ["alpha", "Alpha Inc", "okta", true],
          ["zeta", "Zeta Corp", "okta", true],
        ],
      );
      assert.deepEqual(
        all.map((p) => p.provider.tenantId),
        [alpha.id, alpha.id, zeta.id],
      );
    });

    it("a deleted tenant's providers go with it", async () => {
      // No tenant deletion exists yet: the row goes as one would (identity_providers cascades).
      await database.raw("DELETE FROM tenants WHERE id = ?", [zeta.id]);
      const all = await store.identityProviders.listAllIdentityProviders();
      assert.deepEqual(
        all.map((p) => p.tenantName),
        ["alpha", "alpha"],
      );
    });
  });
}
