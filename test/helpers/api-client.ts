/**
 * The HTTPS API of a running `hostpass server` as a service principal holding a role on the
 * default subscription (client credentials at the real token endpoint, through the server's public
 * URL), for tests and benchmarks that exercise the API rather than the CLI.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Agent, request } from "node:https";
import { join } from "node:path";
import { addClientSecret, createServicePrincipal } from "../../src/directory/index.ts";
import { BUILT_IN_ROLE_IDS } from "../../src/rbac/index.ts";
import type { RunningServer } from "../../src/server/index.ts";

export interface ApiReply {
  readonly status: number;
  readonly body: Record<string, unknown> & { error?: { code: string; message: string } };
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<ApiReply>;

/**
 * `atRoot`: the role also at the tenant root "/" (the directory and the logs are administered
 * there), not only on the default subscription. `agent`: the HTTPS agent every call goes through
 * (a benchmark's single keep-alive connection); default Node's, with the server's certificate.
 */
export async function servicePrincipalApi(
  server: RunningServer,
  dataDir: string,
  role: keyof typeof BUILT_IN_ROLE_IDS = "contributor",
  options: { readonly atRoot?: boolean; readonly agent?: Agent } = {},
): Promise<ApiCall> {
  const ca = await readFile(join(dataDir, "tls", "server-cert.pem"), "utf8");
  const { tenant, subscriptionId } = server.bootstrap;
  const sp = await createServicePrincipal(server.store.directory, {
    tenantId: tenant.id,
    displayName: "api-client",
  });
  const expiresAt = new Date(Date.now() + 3600_000);
  const { secret } = await addClientSecret(server.store.directory, {
    tenantId: tenant.id,
    principalId: sp.id,
    expiresAt,
  });
  const scopes = [`/subscriptions/${subscriptionId}`, ...(options.atRoot ? ["/"] : [])];
  for (const scope of scopes)
    await server.store.rbac.createRoleAssignment({
      id: randomUUID(),
      tenantId: tenant.id,
      roleDefinitionId: BUILT_IN_ROLE_IDS[role],
      principalId: sp.id,
      principalType: "ServicePrincipal",
      scope,
      createdAt: new Date().toISOString(),
      createdBy: "test",
      description: "",
    });
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const via = options.agent ? { agent: options.agent } : { ca };
      const req = request(new URL(path, server.publicUrl), { method, headers, ...via }, (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on("error", reject);
      req.end(body);
    });
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: sp.appId,
    client_secret: secret,
    resource: "urn:hostpass:api",
    scope: "user_impersonation",
  });
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const tokens = await send("POST", "/oauth2/token", headers, form.toString());
  if (tokens.status !== 200) throw new Error(`client credentials: ${tokens.status} ${tokens.text}`);
  const token = JSON.parse(tokens.text).access_token as string;
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    for (let attempt = 0; ; attempt++) {
      const reply = await send(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
      // The service's RBAC engine sees an assignment written beside it (not through the API) within a second.
      if (reply.status === 403 && attempt < 30) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      return { status: reply.status, body: reply.text ? JSON.parse(reply.text) : {} };
    }
  };
}
