/**
 * ca's `ReplayCache` for DPoP proof ids, shared by replicas: one `ReplayDetection` entry per proof
 * id in the oidc table, written with the atomic `insertIfAbsent`. Ids are hashed and prefixed so
 * they stay short and apart from oidc-provider's own entries (bare base64url hashes).
 */
import { createHash } from "node:crypto";
import type { ReplayCache } from "../../ca/index.ts";
import type { OidcStore } from "../sign-in-types.ts";

/** The store's replay cache, which can also record a group's proof ids at once. */
export interface ProofReplay extends ReplayCache {
  /** Records every id (one statement); true only when none was used before or named twice. */
  useAll(proofs: readonly { readonly id: string; readonly expiresAtMs: number }[]): Promise<boolean>;
}

export function sqlProofReplay(oidc: OidcStore, clock: () => number = Date.now): ProofReplay {
  const entryOf = (id: string, expiresAtMs: number) => ({
    id: `dpop:${createHash("sha256").update(id).digest("base64url")}`,
    payload: { kind: "dpop" },
    expiresInSeconds: Math.max(1, (expiresAtMs - clock()) / 1000),
  });
  return {
    use(id, expiresAtMs) {
      const e = entryOf(id, expiresAtMs);
      return oidc.insertIfAbsent("ReplayDetection", e.id, e.payload, e.expiresInSeconds);
    },
    useAll: (proofs) =>
      oidc.insertAllIfAbsent(
        "ReplayDetection",
        proofs.map((p) => entryOf(p.id, p.expiresAtMs)),
      ),
  };
}
