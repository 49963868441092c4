/** A bootstrapped tenant on an in-memory store, for the federation domain tests. */
import { randomBytes } from "node:crypto";
import { bootstrap } from "../../src/server/bootstrap.ts";
import { wireServices } from "../../src/server/wire-services.ts";
import { openStore, type Store } from "../../src/store/index.ts";

export async function openTenantStore(): Promise<{
  store: Store;
  tenantId: string;
  close: () => Promise<void>;
}> {
  const store = await openStore({ url: "sqlite::memory:", keyEncryptionKey: randomBytes(32) });
  const services = wireServices(store);
  const { tenant } = await bootstrap(store, services.rbac, { adminPassword: "a long admin password" });
  return {
    store,
    tenantId: tenant.id,
    close: async () => {
      await services.close();
      await store.close();
    },
  };
}
