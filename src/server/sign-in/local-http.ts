/**
 * The portal's way to call this server's own API and token endpoint: Fastify's `inject`, which
 * runs a request through the same routing, hooks, authentication, RBAC and activity log as one
 * that arrived over the network, without a socket (and without trusting anything the portal
 * could add: the caller's address is passed as the connection's, never as a header).
 */
import type { LocalHttp } from "../../portal/index.ts";
import type { App } from "../app.ts";

export function localHttp(app: App): LocalHttp {
  return async (request) => {
    const response = await app.inject({
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      ...(request.body === undefined ? {} : { payload: request.body }),
      remoteAddress: request.remoteAddress,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  };
}
