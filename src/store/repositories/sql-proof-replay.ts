/**
 * ca's `ReplayCache` for DPoP proof ids, shared by replicas: one `ReplayDetection` entry per proof
 * id in the oidc table, written with the atomic `insertIfAbsent`. Ids are hashed and prefixed so
 * they stay short and apart from oidc-provider's own entries (bare base64url hashes).
 */
import { createHash } from "node:crypto";
import type { ReplayCache } from "../../ca/index.ts";
import type { OidcStore } from "../sign-in-types.ts";

export function sqlProofReplay(oidc: OidcStore, clock: () => number = Date.now): ReplayCache {
  return {
    use(id, expiresAtMs) {
      const key = `dpop:${createHash("sha256").update(id).digest("base64url")}`;
      const seconds = Math.max(1, (expiresAtMs - clock()) / 1000);
      return oidc.insertIfAbsent("ReplayDetection", key, { kind: "dpop" }, seconds);
    },
  };
}
