/**
 * The agent's connection to the service: access tokens by client credentials with a client
 * assertion signed by the agent's own key (private_key_jwt, the CLI's implementation), the host
 * channel's event stream, reports and the KRL. Only outbound HTTPS: the agent listens on nothing.
 */
import { createPrivateKey } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { ServiceError, ServiceUnreachableError } from "../cli/session/errors.ts";
import { expectOk, http } from "../cli/session/http.ts";
import { type Connection, discover, signInServicePrincipal } from "../cli/session/oauth.ts";
import type { Clock } from "../shared/clock.ts";
import type { AgentReport } from "../shared/host-protocol.ts";
import { MANAGEMENT_API_RESOURCE, MANAGEMENT_API_SCOPE } from "../shared/well-known.ts";
import type { AgentConfig } from "./agent-config.ts";
import { AgentNotJoinedError } from "./errors.ts";

/** A snapshot of a large host is big; anything beyond this is not a real state. */
const MAX_EVENT_BYTES = 64 << 20;
const MAX_KRL_BYTES = 64 << 20;

export interface StreamEvent {
  readonly type: string;
  readonly data: string;
}

export interface ServiceClient {
  /** The host channel from after `after` (a snapshot first when it is undefined or too old). */
  stream(after: number | undefined, signal: AbortSignal): AsyncIterable<StreamEvent>;
  postReports(reports: readonly AgentReport[]): Promise<void>;
  fetchKrl(): Promise<Uint8Array>;
}

export interface ServiceClientOptions {
  readonly config: AgentConfig;
  readonly privateKeyPem: string;
  /** PEM of the CA that signed the service's TLS certificate (a self-signed server), else the system's. */
  readonly caPem?: string;
  readonly caFile?: string;
  readonly clock: Clock;
  /**
   * After the service refuses the credential, no token is asked for this long: every caller (stream,
   * reports every second, KRL) gets the refusal at once, so a removed identity does not write a failed
   * sign-in per second until an administrator acts. Default 30 s, as the daemon's reconnect.
   */
  readonly refusedQuietMs?: number;
}

function refused(): AgentNotJoinedError {
  return new AgentNotJoinedError(
    "The service refused this host's managed identity credential (the identity is disabled or deleted, or the login extension was removed).",
  );
}

export function serviceClient(options: ServiceClientOptions): ServiceClient {
  const { config, clock } = options;
  createPrivateKey(options.privateKeyPem); // a key that does not load fails at start, not at the first token
  let token: { value: string; expiresAt: number } | undefined;
  let connection: Connection | undefined;
  let refusedAt: number | undefined;
  const refusedQuietMs = options.refusedQuietMs ?? 30_000;

  const getToken = async (): Promise<string> => {
    if (token && token.expiresAt - 60_000 > clock()) return token.value;
    if (refusedAt !== undefined && clock() - refusedAt < refusedQuietMs) throw refused();
    connection ??= await discover(config.server, options.caFile);
    const conn = connection;
    try {
      const credential = { privateKeyPem: options.privateKeyPem };
      const t = await signInServicePrincipal(
        conn,
        config.clientId,
        credential,
        MANAGEMENT_API_RESOURCE,
        MANAGEMENT_API_SCOPE,
      );
      token = { value: t.access_token, expiresAt: clock() + t.expires_in * 1000 };
      refusedAt = undefined;
      return t.access_token;
    } catch (error) {
      // invalid_client: the identity (the client) is disabled or deleted, or its key was replaced
      const oauthError = error instanceof ServiceError ? error.details.error : undefined;
      if (oauthError === "invalid_client" || oauthError === "unauthorized_client") {
        refusedAt = clock();
        throw refused();
      }
      throw error;
    }
  };

  /** Sends a request with the token; on 401 once more with a fresh token, then the identity is refused. */
  const authorized = async <T>(
    send: (token: string) => Promise<{ status: number; value: T }>,
  ): Promise<T> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await send(await getToken());
      if (res.status !== 401 && res.status !== 403) return res.value;
      token = undefined;
    }
    throw refused();
  };

  const raw = (path: string, headers: Record<string, string>, signal?: AbortSignal) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(new URL(path, config.server), {
        headers,
        ...(options.caPem ? { ca: options.caPem } : {}),
        ...(signal ? { signal } : {}),
      });
      req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30 s")));
      req.once("response", (res) => {
        req.setTimeout(0);
        resolve(res);
      });
      req.once("error", (cause) =>
        reject(new ServiceUnreachableError(`cannot reach ${config.server}: ${cause.message}`, { cause })),
      );
      req.end();
    });

  const body = async (res: IncomingMessage, max: number): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res) {
      size += (chunk as Buffer).length;
      if (size > max) {
        res.destroy();
        throw new ServiceError(502, undefined, `the service's answer is larger than ${max} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  };

  return {
    async *stream(after, signal) {
      const query = after === undefined ? "" : `?after=${after}`;
      const res = await authorized(async (t) => {
        const r = await raw(
          `/agents/v1/stream${query}`,
          { authorization: `Bearer ${t}`, accept: "text/event-stream" },
          signal,
        );
        if (r.statusCode !== 200) r.resume();
        return { status: r.statusCode ?? 0, value: r };
      });
      if (res.statusCode !== 200)
        throw new ServiceError(res.statusCode ?? 502, undefined, `stream answered HTTP ${res.statusCode}`);
      const queue: StreamEvent[] = [];
      let failure: Error | undefined;
      const parser = createParser({
        maxBufferSize: MAX_EVENT_BYTES,
        onEvent: (e: EventSourceMessage) => queue.push({ type: e.event ?? "message", data: e.data }),
        onError: (e) => {
          failure = e;
        },
      });
      res.setEncoding("utf8");
      for await (const chunk of res) {
        parser.feed(chunk as string);
        if (failure)
          throw new ServiceError(
            502,
            undefined,
            `the stream is not valid server-sent events: ${failure.message}`,
          );
        while (queue.length) yield queue.shift() as StreamEvent;
      }
    },

    async postReports(reports) {
      if (reports.length === 0) return;
      await authorized(async (t) => {
        const res = await http(new URL("/agents/v1/reports", config.server).toString(), {
          method: "POST",
          json: reports,
          headers: { authorization: `Bearer ${t}` },
          ...(options.caFile ? { caFile: options.caFile } : {}),
        });
        if (res.status !== 401 && res.status !== 403) expectOk(res, "reports");
        return { status: res.status, value: undefined };
      });
    },

    async fetchKrl() {
      return authorized(async (t) => {
        const res = await raw("/ssh/krl", {
          authorization: `Bearer ${t}`,
          accept: "application/octet-stream",
        });
        if (res.statusCode === 401 || res.statusCode === 403) {
          res.resume();
          return { status: res.statusCode, value: new Uint8Array() };
        }
        const bytes = await body(res, MAX_KRL_BYTES);
        if (res.statusCode !== 200)
          throw new ServiceError(res.statusCode ?? 502, undefined, `KRL answered HTTP ${res.statusCode}`);
        return { status: 200, value: new Uint8Array(bytes) };
      });
    },
  };
}
