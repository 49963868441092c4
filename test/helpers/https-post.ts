/**
 * One JSON POST over HTTPS on the caller's keep-alive agent, for tests and benchmarks that drive
 * an endpoint directly (many requests at once, headers exactly as given): the status, and the body
 * text unless `discardBody` (a benchmark then spends nothing on reading it).
 */
import type { IncomingHttpHeaders } from "node:http";
import { type Agent, request } from "node:https";

export interface PostAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** "" with `discardBody`. */
  readonly text: string;
}

export function postJson(
  agent: Agent,
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string,
  options: { readonly discardBody?: boolean } = {},
): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        if (options.discardBody) res.resume();
        else res.setEncoding("utf8").on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
