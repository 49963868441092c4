/**
 * The CA keys issuance works with, following rotation without a restart: the records are read
 * again when they are older than `maxAgeMs` (default 1 s, on the injected clock), and the signer
 * is reopened only when the active user CA key changed. Reserved keys (never certified as user
 * keys) are every CA record's key, retired ones included. A key activated on another replica
 * signs here within `maxAgeMs`; hosts trust both keys during the overlap, so that second does not
 * matter to a login.
 */
import type { Clock } from "../shared/clock.ts";
import { fingerprintSha256, type PublicKey, parsePublicKey, type Signer } from "../ssh/index.ts";
import { activeCaKey, type CaKeyRecord, openCaSigner, trustedCaKeys } from "./ca-keys.ts";
import type { ReservedKeys } from "./user-key-policy.ts";

export interface CaKeySource {
  list(): Promise<readonly CaKeyRecord[]>;
}

export interface CaKeyView {
  readonly signer: Signer;
  readonly caKeyId: string;
  readonly reservedKeys: ReservedKeys;
  readonly trusted: { readonly user: readonly PublicKey[]; readonly host: readonly PublicKey[] };
}

export interface CaKeyring {
  /** The current view; reads the records again when the last read is older than `maxAgeMs`. */
  current(): Promise<CaKeyView>;
  /** Forgets the last read (after a rotation step in this process). */
  invalidate(): void;
}

export function createCaKeyring(
  source: CaKeySource,
  kek: Uint8Array,
  clock: Clock,
  options: { readonly maxAgeMs?: number } = {},
): CaKeyring {
  const maxAge = options.maxAgeMs ?? 1000;
  let view: CaKeyView | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<CaKeyView> | undefined;

  const build = (records: readonly CaKeyRecord[]): CaKeyView => {
    const active = activeCaKey(records, "user");
    const signer = view?.caKeyId === active.id ? view.signer : openCaSigner(active, kek);
    const reserved = new Set(records.map((r) => fingerprintSha256(parsePublicKey(r.publicKey).blob)));
    return {
      signer,
      caKeyId: active.id,
      reservedKeys: { isReserved: (fp) => reserved.has(fp) },
      trusted: { user: trustedCaKeys(records, "user"), host: trustedCaKeys(records, "host") },
    };
  };

  return {
    current() {
      if (view && clock() - readAt < maxAge) return Promise.resolve(view);
      // One read at a time: a burst of requests shares it.
      reading ??= (async () => {
        const started = clock();
        try {
          view = build(await source.list());
          readAt = started;
          return view;
        } finally {
          reading = undefined;
        }
      })();
      return reading;
    },
    invalidate() {
      readAt = Number.NEGATIVE_INFINITY;
    },
  };
}
