/**
 * oidc-provider answers any error that is not its own with 500 `server_error`. When the cause is
 * hostpass's "not now" (kind `unavailable`: the store unreachable or its disk full, issue 11
 * items 11 and 12), the answer becomes 503 `temporarily_unavailable` with `Retry-After`, like the
 * API's 503 `ERR_STORE_UNAVAILABLE` / `ERR_STORE_FULL`: a client may try again, nothing was
 * granted. oidc-provider emits `server_error` after setting the body and before Koa writes the
 * response, so the listener may still change both.
 */
import type { KoaContextWithOIDC, Provider } from "oidc-provider";
import { type HostpassError, isHostpassError } from "../../shared/errors.ts";

/** The hostpass "not now" (kind `unavailable`) an error is or was caused by, if any. */
export function unavailableCause(error: unknown): HostpassError | undefined {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (isHostpassError(e) && e.kind === "unavailable") return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function answerUnavailableWith503(provider: Provider): void {
  provider.on("server_error", (context, error) => {
    if (unavailableCause(error) === undefined) return;
    const ctx = context as KoaContextWithOIDC;
    ctx.status = 503;
    ctx.set("Retry-After", "1");
    if (typeof ctx.body === "object" && ctx.body !== null && !Buffer.isBuffer(ctx.body))
      ctx.body = {
        error: "temporarily_unavailable",
        error_description: "the service cannot reach its store; try again shortly",
      };
  });
}
