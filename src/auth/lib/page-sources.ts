/**
 * The page hooks of oidc-provider (device code entry, approval and success, logout, errors),
 * rendered through `AuthPages`. The approval view is assembled here from the device code: who
 * asked (client), from where (the device's address) and for what (scopes and resources).
 */
import type { KoaContextWithOIDC } from "oidc-provider";
import { type AuthPages, sendPage } from "../pages.ts";

function scopesOf(ctx: KoaContextWithOIDC): string[] {
  const entity = ctx.oidc.entities.DeviceCode;
  const scope = entity?.params?.scope;
  return typeof scope === "string" ? scope.split(" ").filter(Boolean) : [];
}

function resourcesOf(ctx: KoaContextWithOIDC): string[] {
  const resource = ctx.oidc.entities.DeviceCode?.params?.resource;
  if (typeof resource === "string") return [resource];
  return Array.isArray(resource) ? resource.filter((r): r is string => typeof r === "string") : [];
}

export function pageSources(pages: AuthPages) {
  return {
    userCodeInputSource: async (
      ctx: KoaContextWithOIDC,
      formHtml: string,
      out?: { error: string; error_description?: string },
    ) =>
      sendPage(
        ctx,
        pages.deviceCodeInput({
          formHtml,
          ...(out ? { error: { error: out.error, description: out.error_description } } : {}),
        }),
      ),
    userCodeConfirmSource: async (
      ctx: KoaContextWithOIDC,
      formHtml: string,
      client: { clientId: string; clientName?: string },
      deviceInfo: { ip?: string; ua?: string } | undefined,
      userCode: string,
    ) =>
      sendPage(
        ctx,
        pages.deviceCodeConfirm({
          formHtml,
          view: {
            userCode,
            clientId: client.clientId,
            clientName: client.clientName ?? client.clientId,
            requestIp: deviceInfo?.ip ?? "unknown",
            requestUserAgent: deviceInfo?.ua ?? "",
            scopes: scopesOf(ctx),
            resources: resourcesOf(ctx),
          },
        }),
      ),
    successSource: async (ctx: KoaContextWithOIDC) =>
      sendPage(ctx, pages.deviceCodeSuccess({ clientName: ctx.oidc.client?.clientName ?? "" })),
    logoutSource: async (ctx: KoaContextWithOIDC, formHtml: string) =>
      sendPage(ctx, pages.logoutConfirm({ formHtml })),
    postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) =>
      sendPage(ctx, pages.logoutSuccess({ clientName: ctx.oidc.client?.clientName })),
    renderError: async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) =>
      sendPage(ctx, pages.error({ error: out.error, description: out.error_description })),
  };
}
