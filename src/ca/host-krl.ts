/**
 * The KRL hosts keep (`RevokedKeys`, issue 7 item 5): every revoked, not yet expired certificate
 * serial under the user-CA key that signed it, and every revoked key id (`<objectId>@<tenantId>`:
 * all certificates of a principal) under each user-CA key hosts trust. Its version is the build
 * time in milliseconds, so a newer KRL always has a higher version, across restarts too (the agent
 * keeps the newest it has seen).
 */
import { createHash } from "node:crypto";
import { encodeKrl, type KrlCertificateSection, parsePublicKey } from "../ssh/index.ts";
import type { CaKeyRecord } from "./ca-keys.ts";

export interface KrlRevocations {
  /** Revoked serials of unexpired certificates signed by this CA key, ascending. */
  readonly serials: readonly bigint[];
  /** Revoked key ids, ascending. */
  readonly keyIds: readonly string[];
}

export interface HostKrl {
  readonly bytes: Uint8Array;
  /** Lower-case hex. */
  readonly sha256: string;
}

const TRUSTED = new Set(["next", "active", "previous"]);

export async function buildHostKrl(
  caKeys: readonly CaKeyRecord[],
  revocationsOf: (caKeyId: string) => Promise<KrlRevocations>,
  now: Date,
): Promise<HostKrl> {
  const sections: KrlCertificateSection[] = [];
  const userKeys = caKeys
    .filter((r) => r.purpose === "user" && TRUSTED.has(r.state))
    .sort((a, b) => a.id.localeCompare(b.id));
  for (const record of userKeys) {
    const { serials, keyIds } = await revocationsOf(record.id);
    if (serials.length === 0 && keyIds.length === 0) continue;
    sections.push({ caKey: parsePublicKey(record.publicKey), serials, serialRanges: [], keyIds });
  }
  const bytes = encodeKrl({
    version: BigInt(now.getTime()),
    generatedAt: BigInt(Math.floor(now.getTime() / 1000)),
    comment: "hostpass",
    certificates: sections,
  });
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}
