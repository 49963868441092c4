/**
 * Token-endpoint outcomes into the sign-in log: every failed grant (wrong client secret, replayed
 * assertion, reused code or refresh token, disabled account, ...) and every service-principal
 * sign-in (client credentials). Users' successful sign-ins are logged by the portal, where they
 * happen. A refused grant is recorded with its OAuth error and oidc-provider's public description;
 * an internal failure of the authorization server (`server_error`, whose text is internal) is not a
 * sign-in record but a background error (logged, counted in `GET /health`), as is a record that
 * cannot be written: writing the log never fails the grant.
 */
import { randomUUID } from "node:crypto";
import type { KoaContextWithOIDC, Provider } from "oidc-provider";
import type { SignInLogEntry, SignInLogRepository } from "../../audit/index.ts";
import type { AccountSource } from "../../auth/index.ts";
import type { BackgroundErrors } from "../../shared/background-errors.ts";

interface GrantError {
  readonly error?: string;
  readonly error_description?: string;
}

const NOT_FAILURES: ReadonlySet<string> = new Set(["authorization_pending", "slow_down"]);

export function recordGrantEvents(
  provider: Provider,
  log: SignInLogRepository,
  accounts: AccountSource,
  tenants: () => readonly string[],
  backgroundErrors?: BackgroundErrors,
): void {
  const write = async (ctx: KoaContextWithOIDC, result: "success" | "failure", reason?: string) => {
    const client = ctx.oidc?.client;
    const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
    const clientId =
      client?.clientId ?? (typeof params.client_id === "string" ? params.client_id : undefined);
    const sp = clientId === undefined ? undefined : await accounts.findServicePrincipal(clientId);
    const accountId = ctx.oidc?.account?.accountId;
    const entry: SignInLogEntry = {
      id: randomUUID(),
      time: new Date(),
      tenantId: sp?.tenantId ?? tenants()[0] ?? "",
      ip: ctx.ip,
      userAgent: String(ctx.headers["user-agent"] ?? "").slice(0, 512),
      result,
      policies: [],
      correlationId: randomUUID(),
      ...(sp
        ? {
            principalId: sp.objectId,
            principalName: sp.displayName,
            principalKind: "servicePrincipal" as const,
          }
        : {}),
      ...(!sp && accountId ? { principalId: accountId, principalKind: "user" as const } : {}),
      ...(clientId === undefined ? {} : { appId: clientId.slice(0, 128) }),
      ...(typeof params.resource === "string" ? { resource: params.resource.slice(0, 256) } : {}),
      ...(reason === undefined ? {} : { failureReason: reason.slice(0, 512) }),
    };
    await log.append(entry);
  };
  const safely = (ctx: KoaContextWithOIDC, result: "success" | "failure", reason?: string) =>
    write(ctx, result, reason).catch((error: unknown) => {
      if (backgroundErrors) backgroundErrors.record("signInLog", error);
      else console.error("sign-in log write failed", error);
    });
  provider.on("server_error", (_ctx, error) => {
    if (backgroundErrors) backgroundErrors.record("authorizationServer", error);
    else console.error("authorization server error", error);
  });
  provider.on("grant.error", (ctx, error) => {
    const e = error as GrantError;
    // A device polling before the user decided, or too fast: the protocol's normal course.
    if (e.error !== undefined && NOT_FAILURES.has(e.error)) return;
    void safely(
      ctx as KoaContextWithOIDC,
      "failure",
      [e.error, e.error_description].filter(Boolean).join(": "),
    );
  });
  provider.on("grant.success", (ctx) => {
    const c = ctx as KoaContextWithOIDC;
    if ((c.oidc?.params as Record<string, unknown> | undefined)?.grant_type === "client_credentials") {
      void safely(c, "success");
    }
  });
}
