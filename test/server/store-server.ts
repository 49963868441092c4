import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { MachineHost } from "../../src/resources/index.ts";
import type { ApiPrincipal } from "../../src/server/auth/tokens.ts";
import { type BootstrapResult, bootstrap } from "../../src/server/bootstrap.ts";
import { type App, buildServer } from "../../src/server/build-server.ts";
import { ensureCaKeys, wireSsh } from "../../src/server/wire-certificates.ts";
import { type WiredServices, wireServices } from "../../src/server/wire-services.ts";
import type { BackgroundErrors } from "../../src/shared/background-errors.ts";
import type { Clock } from "../../src/shared/clock.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { bearer, tempDir } from "./helpers.ts";
import { createTestTokenKeys, type MintOptions, mintAccessToken } from "./token-mint.ts";

/** A server on a real (in-memory SQLite) store, bootstrapped like a first start. */
export interface StoreServer {
  readonly app: App;
  readonly store: Store;
  readonly services: WiredServices;
  readonly boot: BootstrapResult;
  /** Authorization header of the bootstrap administrator (Owner at "/"). */
  readonly admin: Record<string, string>;
  readonly tenantId: string;
  token(principal: ApiPrincipal, options?: MintOptions): Promise<string>;
  /** Headers for a user of this tenant by object id. */
  as(objectId: string, type?: ApiPrincipal["type"]): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface StoreServerOptions {
  readonly url?: string;
  readonly dataDir?: string;
  /** A machine host (a test double of the local provider): creating a VM then starts it there. */
  readonly machineHost?: MachineHost;
  /** What the services are wired over (default: the store itself), e.g. a repository that fails on demand. */
  readonly repositories?: (store: Store) => Store;
  readonly backgroundErrors?: BackgroundErrors;
  /** The API's clock (the activity log's refusal limit counts by it). */
  readonly clock?: Clock;
}

export async function startStoreServer(options: StoreServerOptions = {}): Promise<StoreServer> {
  const dataDir = options.dataDir ?? (await tempDir());
  const kek = randomBytes(32);
  const store = await openStore({ url: options.url ?? "sqlite::memory:", keyEncryptionKey: kek });
  const wired = wireServices(options.repositories ? options.repositories(store) : store, {
    ...(options.backgroundErrors ? { backgroundErrors: options.backgroundErrors } : {}),
  });
  const boot = await bootstrap(store, wired.rbac, { adminPassword: "correct horse battery staple" });
  // The CA's administration routes (keys, rotation, ledger); issuance stays 503 (no token issuer here).
  await ensureCaKeys(store.caKeys, kek, "ssh-ed25519", new Date());
  const services = {
    ...wired,
    ssh: wireSsh(store, kek, wired.audit).services,
    ...(options.machineHost ? { machineHost: options.machineHost } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  const keys = await createTestTokenKeys();
  const app = await buildServer({ services, trust: () => keys.trust });
  const tenantId = boot.tenant.id;
  const token = (principal: ApiPrincipal, options?: MintOptions) => mintAccessToken(keys, principal, options);
  const as = async (objectId: string, type: ApiPrincipal["type"] = "user") =>
    bearer(await token({ objectId, tenantId, type }));
  return {
    app,
    store,
    services,
    boot,
    tenantId,
    admin: await as(boot.adminId),
    token,
    as,
    close: async () => {
      await app.close();
      await services.close();
      await store.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
