/**
 * Starts the authorization server behind a plain `http.createServer` on 127.0.0.1, with test
 * doubles for its dependencies and a test sign-in page at `/signin/<uid>` that finishes the
 * interaction as `harness.signIn` says (the real pages come later).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AuthorizationServer,
  type AuthorizationServerConfig,
  createAuthorizationServer,
  createMemoryThrottleStore,
  type FinishInteractionInput,
  InteractionError,
  type ThrottleStore,
} from "../../../src/auth/index.ts";
import { MemoryAccountSource } from "./memory-accounts.ts";
import { MemoryKeyStore } from "./memory-key-store.ts";
import { MemoryOidcStorage } from "./memory-oidc-storage.ts";

export const TENANT = "7d3c4f1e-2b8a-4c6d-9e0f-1a2b3c4d5e6f";

export interface Harness {
  readonly base: string;
  readonly issuer: string;
  readonly server: AuthorizationServer;
  readonly accounts: MemoryAccountSource;
  readonly storage: MemoryOidcStorage;
  readonly keys: MemoryKeyStore;
  readonly throttle: ThrottleStore;
  /** What the test sign-in page does with the next interaction; `undefined` shows its details. */
  signIn: FinishInteractionInput | "abort" | undefined;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly config?: Partial<AuthorizationServerConfig>;
  readonly keyType?: "ed25519" | "p256";
}

async function signInPage(h: Harness, req: IncomingMessage, res: ServerResponse) {
  try {
    if (h.signIn === undefined) {
      const view = await h.server.describeInteraction(req, res);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(view));
      return;
    }
    const location =
      h.signIn === "abort"
        ? await h.server.abortInteraction(req, res)
        : await h.server.finishInteraction(req, res, h.signIn);
    res.writeHead(303, { location }).end();
  } catch (error) {
    const status = error instanceof InteractionError ? 403 : 500;
    res
      .writeHead(status, { "content-type": "application/json" })
      .end(JSON.stringify({ error: String(error) }));
  }
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const accounts = new MemoryAccountSource();
  const storage = new MemoryOidcStorage();
  const keys = new MemoryKeyStore(options.keyType);
  const throttle = createMemoryThrottleStore();
  let harness: Harness | undefined;
  const http = createServer((req, res) => {
    if (harness === undefined) return void res.writeHead(503).end();
    if (req.url?.startsWith("/signin/")) return void signInPage(harness, req, res);
    harness.server.handler(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const issuer = `${base}/oauth2`;
  const server = await createAuthorizationServer(
    {
      issuer,
      cookieKeys: ["test-cookie-key-0123456789abcdefghijklmnop"],
      interactionUrl: (uid) => `/signin/${uid}`,
      ...options.config,
    },
    { accounts, keys, storage, throttle },
  );
  harness = {
    base,
    issuer,
    server,
    accounts,
    storage,
    keys,
    throttle,
    signIn: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  return harness;
}
