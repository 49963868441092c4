/**
 * The CLI's HTTP client: node:https with the cloud's own CA file when it has one (the server's
 * certificate is self-signed by default), JSON and form bodies, a timeout, typed errors.
 */
import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { ServiceError, ServiceUnreachableError } from "./errors.ts";

export interface HttpOptions {
  readonly method?: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  readonly headers?: Record<string, string>;
  readonly json?: unknown;
  readonly form?: Record<string, string | undefined>;
  /** A body sent as it is (the caller sets its content-type). */
  readonly rawBody?: string;
  /** Return the body as text, unparsed. */
  readonly raw?: boolean;
  readonly caFile?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

const caCache = new Map<string, Promise<string>>();

export async function http(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  let payload: string | undefined;
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json);
    headers["content-type"] = "application/json";
  } else if (options.rawBody !== undefined) {
    payload = options.rawBody;
  } else if (options.form) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) if (v !== undefined) params.set(k, v);
    payload = params.toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  }
  const target = new URL(url);
  let ca: string | undefined;
  if (options.caFile) {
    if (!caCache.has(options.caFile)) caCache.set(options.caFile, readFile(options.caFile, "utf8"));
    ca = await caCache.get(options.caFile);
  }
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: options.method ?? (payload ? "POST" : "GET"),
        headers,
        timeout: options.timeoutMs ?? 30_000,
        ...(ca ? { ca } : {}),
        signal: options.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          if (!options.raw && String(res.headers["content-type"] ?? "").includes("json") && text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${target.origin} within the timeout`)));
    req.on("error", (cause) =>
      reject(new ServiceUnreachableError(`cannot reach ${target.origin}: ${cause.message}`, { cause })),
    );
    req.end(payload);
  });
}

/** Throws a ServiceError for any non-2xx answer, using the server's `{ error: { code, message } }` shape. */
export function expectOk(res: HttpResponse, what: string): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  const body = res.body as
    | { error?: { code?: string; message?: string } | string; error_description?: string }
    | undefined;
  const err = typeof body === "object" && body ? body.error : undefined;
  if (typeof err === "object" && err)
    throw new ServiceError(res.status, err.code, err.message ?? `${what} failed`, { details: err });
  const oauthError =
    typeof err === "string"
      ? `${err}${body?.error_description ? `: ${body.error_description}` : ""}`
      : undefined;
  throw new ServiceError(
    res.status,
    undefined,
    `${what} failed (HTTP ${res.status})${oauthError ? `: ${oauthError}` : ""}`,
  );
}
