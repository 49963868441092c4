/**
 * Starts Fastify with the portal and the backend double, the way src/server will mount it: next to
 * a JSON API whose body parser must stay untouched by the portal's form parser.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { AttemptLimiter } from "../../../src/mfa/index.ts";
import { registerPortal } from "../../../src/portal/index.ts";
import { InTestBackendDouble } from "./backend-double.ts";

export interface PortalApp {
  readonly app: FastifyInstance;
  readonly backend: InTestBackendDouble;
  /** `http://localhost:<port>`: WebAuthn needs a host name, not an IP address, as its RP id. */
  readonly origin: string;
  close(): Promise<void>;
}

export interface PortalAppOptions {
  readonly listen?: boolean;
  readonly maxFailures?: number;
  readonly sourceMaxFailures?: number;
  readonly secureCookies?: boolean;
  readonly now?: () => number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPortalApp(options: PortalAppOptions = {}): Promise<PortalApp> {
  const port = options.listen ? await freePort() : 0;
  const origin = `http://localhost:${port}`;
  const backend = new InTestBackendDouble();
  const app = Fastify({ logger: false });
  const limits = { maxFailures: options.maxFailures ?? 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
  registerPortal(app, {
    backend,
    relyingParty: { id: "localhost", name: "hostpass test", origins: [origin] },
    cookieKey: randomBytes(32),
    secureCookies: options.secureCookies ?? false,
    limiters: {
      account: new AttemptLimiter(limits),
      source: new AttemptLimiter({ ...limits, maxFailures: options.sourceMaxFailures ?? 100 }),
      userCode: new AttemptLimiter(limits),
    },
    now: options.now,
  });
  app.post("/api/echo", async (request) => ({ echo: request.body }));
  app.get("/test-client/callback", async (request, reply) =>
    reply
      .type("text/html")
      .send(
        `<!doctype html><title>client</title><h1 id="done">Client callback ${String((request.query as { uid?: string }).uid ?? "").replace(/[^A-Za-z0-9-]/g, "")}</h1>`,
      ),
  );
  if (options.listen) await app.listen({ host: "127.0.0.1", port });
  else await app.ready();
  return { app, backend, origin, close: () => app.close() };
}
