/**
 * A STAND-IN for the service's host-channel endpoints (`POST /agents/v1/join`, the token endpoint's
 * client-credentials grant with private_key_jwt, `GET /agents/v1/stream`, `POST /agents/v1/reports`,
 * `GET /ssh/krl`), as agreed with the service side on the board, so the agent's daemon can be
 * tested before `hostpass server` serves them. Real HTTPS (a certificate from server/tls.ts), real
 * client assertions checked with jose; the events are whatever the test pushes.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { importJWK, type JWK, jwtVerify } from "jose";
import { loadOrCreateTls } from "../../../src/server/tls.ts";
import type { AgentReport, HostEvent } from "../../../src/shared/host-protocol.ts";
import { TENANT } from "./host-state-fixture.ts";

export interface StandIn {
  readonly url: string;
  readonly caPem: string;
  /** SHA-256 of its certificate, `AA:BB:…` (what `hostpass server` prints). */
  readonly fingerprint: string;
  readonly reports: AgentReport[];
  /** `after` of every stream request, in order (undefined: no `after`). */
  readonly streamRequests: (number | undefined)[];
  /** Sends an event to every open stream, and keeps patches for replays. */
  push(event: HostEvent): void;
  /** Sets the state a stream without a usable `after` gets as its snapshot. */
  setSnapshot(event: Extract<HostEvent, { type: "snapshot" }>): void;
  setKrl(bytes: Uint8Array): void;
  /** Closes open streams (the agent reconnects). */
  dropStreams(): void;
  /** The identity disabled: streams closed, tokens and new streams refused. */
  setIdentityEnabled(enabled: boolean): void;
  /** Stops answering the stream (the service unreachable) until set back. */
  setReachable(reachable: boolean): void;
  /** Polls `check` until it returns something other than undefined or false. */
  waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export const JOIN_CODE = "join-code-0123456789";
/** A code of a machine without a managed identity (the service answers the seed's exit 22). */
export const NO_IDENTITY_CODE = "join-code-no-identity";
/** A code the service cannot take just then (its store unavailable: 503): worth another code. */
export const BUSY_CODE = "join-code-service-busy";
const MACHINE_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Compute/virtualMachines/vm1";

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      text += c;
    });
    req.on("end", () => resolve(text));
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

/**
 * `host`: the name in its certificate and URL; `listen`: where it listens (another address, when a
 * relay on `host` forwards to it, as local machines reach the service), default `host`.
 */
export async function startStandIn(
  dataDir: string,
  host = "127.0.0.1",
  listen: { host?: string; port?: number } = {},
): Promise<StandIn> {
  const tls = await loadOrCreateTls(dataDir, [host]);
  const clientId = "5e1c0b7a-0000-4000-8000-00000000a9e1";
  let agentKey: JWK | undefined;
  let enabled = true;
  let reachable = true;
  let snapshot: Extract<HostEvent, { type: "snapshot" }> | undefined;
  let krl: Uint8Array = new Uint8Array();
  const patches: Extract<HostEvent, { type: "patch" }>[] = [];
  const streams = new Set<ServerResponse>();
  const tokens = new Set<string>();
  const reports: AgentReport[] = [];
  const streamRequests: (number | undefined)[] = [];
  let url = "";

  const send = (res: ServerResponse, event: HostEvent) => {
    const { type, ...rest } = event;
    res.write(`event: ${type}\ndata: ${JSON.stringify(rest)}\n\n`);
  };
  const authorized = (req: IncomingMessage) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    return enabled && token !== undefined && tokens.has(token);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", url);
    if (req.method === "POST" && path.pathname === "/agents/v1/join") {
      const b = JSON.parse(await body(req));
      if (b.code === NO_IDENTITY_CODE) {
        const message = "Managed System Identity is required for directory-based SSH login to work.";
        return json(res, 409, { error: { code: "ERR_EXTENSION_NO_MANAGED_IDENTITY", message } });
      }
      if (b.code === BUSY_CODE) {
        const message = "the service cannot reach its database; try again shortly";
        return json(res, 503, { error: { code: "ERR_STORE_UNAVAILABLE", message } });
      }
      if (b.code !== JOIN_CODE)
        return json(res, 403, { error: { code: "ERR_JOIN_CODE", message: "join code refused" } });
      agentKey = b.publicKey;
      return json(res, 200, {
        machineId: MACHINE_ID,
        tenantId: TENANT,
        clientId,
        tokenEndpoint: `${url}/oauth2/token`,
      });
    }
    if (req.method === "GET" && path.pathname === "/oauth2/.well-known/openid-configuration") {
      return json(res, 200, {
        issuer: `${url}/oauth2`,
        token_endpoint: `${url}/oauth2/token`,
        authorization_endpoint: `${url}/oauth2/auth`,
        jwks_uri: `${url}/oauth2/jwks`,
        token_endpoint_auth_methods_supported: ["private_key_jwt"],
      });
    }
    if (req.method === "POST" && path.pathname === "/oauth2/token") {
      const form = new URLSearchParams(await body(req));
      if (!enabled || !agentKey || form.get("client_id") !== clientId)
        return json(res, 400, { error: "invalid_client" });
      try {
        await jwtVerify(form.get("client_assertion") ?? "", await importJWK(agentKey, "EdDSA"), {
          issuer: clientId,
          subject: clientId,
          audience: [`${url}/oauth2`, `${url}/oauth2/token`],
        });
      } catch {
        return json(res, 400, { error: "invalid_client" });
      }
      const token = randomBytes(24).toString("base64url");
      tokens.add(token);
      return json(res, 200, { access_token: token, token_type: "Bearer", expires_in: 300 });
    }
    if (!authorized(req))
      return json(res, 401, { error: { code: "ERR_UNAUTHENTICATED", message: "unauthenticated" } });
    if (req.method === "GET" && path.pathname === "/agents/v1/stream") {
      const after = path.searchParams.has("after") ? Number(path.searchParams.get("after")) : undefined;
      streamRequests.push(after);
      if (!reachable) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      const replay = after === undefined || !snapshot || after < snapshot.state.version;
      if (replay && snapshot) send(res, snapshot);
      for (const p of patches)
        if (p.patch.version > (replay ? (snapshot?.state.version ?? 0) : (after ?? 0))) send(res, p);
      streams.add(res);
      res.once("close", () => streams.delete(res));
      return;
    }
    if (req.method === "POST" && path.pathname === "/agents/v1/reports") {
      reports.push(...(JSON.parse(await body(req)) as AgentReport[]));
      return json(res, 202, {});
    }
    if (req.method === "GET" && path.pathname === "/ssh/krl") {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(krl));
      return;
    }
    json(res, 404, { error: { code: "ERR_NOT_FOUND", message: "no route" } });
  };

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch((error) =>
      json(res, 500, { error: { code: "ERR_INTERNAL", message: String(error) } }),
    );
  });
  const sockets = new Set<import("node:stream").Duplex>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(listen.port ?? 0, listen.host ?? host, resolve));
  url = `https://${host}:${(server.address() as AddressInfo).port}`;
  const heartbeat = setInterval(() => {
    for (const s of streams)
      send(s, { type: "heartbeat", version: patches.at(-1)?.patch.version ?? snapshot?.state.version ?? 0 });
  }, 1000);

  return {
    url,
    caPem: tls.cert,
    fingerprint: tls.fingerprint,
    reports,
    streamRequests,
    push(event) {
      if (event.type === "patch") patches.push(event);
      for (const s of streams) send(s, event);
    },
    setSnapshot(event) {
      snapshot = event;
      patches.length = 0;
    },
    setKrl(bytes) {
      krl = bytes;
    },
    dropStreams() {
      for (const s of streams) s.destroy();
    },
    setIdentityEnabled(value) {
      enabled = value;
      if (!value) {
        tokens.clear();
        for (const s of streams) s.destroy();
      }
    },
    setReachable(value) {
      reachable = value;
      if (!value) for (const s of streams) s.destroy();
    },
    async waitFor(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = await check();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > deadline) throw new Error("timed out waiting");
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      clearInterval(heartbeat);
      for (const s of streams) s.destroy();
      const closed = new Promise((r) => server.close(r));
      for (const socket of sockets) socket.destroy(); // peers that vanished (a destroyed machine) never close theirs
      server.closeAllConnections();
      // every socket is destroyed; do not let a straggler keep the test run alive
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000).unref())]);
    },
  };
}
