/**
 * oidc-provider checks DPoP proofs (token and userinfo endpoints) with jose, which parses the
 * header and claims with JSON.parse: a member named twice keeps its last value. hostpass refuses
 * such proofs outright (shared/strict-json.ts), before oidc-provider reads them, with the error
 * RFC 9449 §7.1 names for a bad proof.
 */
import type { Provider } from "oidc-provider";
import { jwsHasDuplicateKeys } from "../../shared/strict-json.ts";

export function refuseDuplicateKeysInDpop(provider: Provider): void {
  provider.use(async (ctx, next) => {
    const header = ctx.headers.dpop;
    const proofs = header === undefined ? [] : Array.isArray(header) ? header : [header];
    if (proofs.some(jwsHasDuplicateKeys)) {
      ctx.status = 400;
      ctx.set("Cache-Control", "no-store");
      ctx.body = { error: "invalid_dpop_proof", error_description: "the DPoP proof names a member twice" };
      return;
    }
    await next();
  });
}
