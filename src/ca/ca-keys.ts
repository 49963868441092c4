/**
 * CA keys: separate user and host CAs, private keys encrypted at rest (AES-256-GCM under a
 * key-encryption key the server holds outside the database), and rotation in three steps:
 * announce (published and trusted, not yet signing) → activate (signs; the old key stays trusted)
 * → retire (no longer trusted). Pure functions over records; the store persists them.
 * Sealing: src/shared/seal.ts.
 */
import { createPrivateKey, type KeyObject, randomUUID } from "node:crypto";
import { open, seal } from "../shared/seal.ts";
import {
  formatPublicKey,
  generateKeyPair,
  type KeyType,
  keyObjectSigner,
  type PublicKey,
  parsePublicKey,
  type Signer,
} from "../ssh/index.ts";
import { CaKeyUnavailableError } from "./errors.ts";

export const CA_PURPOSES = ["user", "host"] as const;
export type CaPurpose = (typeof CA_PURPOSES)[number];
export const CA_KEY_STATES = ["next", "active", "previous", "retired"] as const;
export type CaKeyState = (typeof CA_KEY_STATES)[number];

export interface CaKeyRecord {
  readonly id: string;
  readonly purpose: CaPurpose;
  readonly state: CaKeyState;
  /** `type base64` line of the public key. */
  readonly publicKey: string;
  /** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; PKCS#8 DER inside. */
  readonly sealedPrivateKey: string;
  readonly createdAt: Date;
  readonly stateChangedAt: Date;
}

export function sealPrivateKey(privateKey: KeyObject, kek: Uint8Array, aad: string): string {
  return seal(privateKey.export({ format: "der", type: "pkcs8" }), kek, aad);
}

export function openPrivateKey(sealed: string, kek: Uint8Array, aad: string): KeyObject {
  let der: Uint8Array;
  try {
    der = open(sealed, kek, aad);
  } catch (cause) {
    throw new CaKeyUnavailableError(
      "cannot decrypt the CA key (wrong key-encryption key or tampered record)",
      { cause },
    );
  }
  return createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
}

function aadOf(record: Pick<CaKeyRecord, "id" | "purpose">): string {
  return `hostpass-ca:${record.purpose}:${record.id}`;
}

/** Makes a new CA key in state `next` (announced, trusted, not signing). */
export function createCaKey(purpose: CaPurpose, keyType: KeyType, kek: Uint8Array, now: Date): CaKeyRecord {
  const id = randomUUID();
  const pair = generateKeyPair(keyType, { rsaBits: 4096 });
  return {
    id,
    purpose,
    state: "next",
    publicKey: formatPublicKey(pair.publicKey),
    sealedPrivateKey: sealPrivateKey(pair.privateKey, kek, aadOf({ id, purpose })),
    createdAt: now,
    stateChangedAt: now,
  };
}

/** Opens the signer of a record, and checks that its private key matches the published public key. */
export function openCaSigner(record: CaKeyRecord, kek: Uint8Array): Signer {
  const signer = keyObjectSigner(openPrivateKey(record.sealedPrivateKey, kek, aadOf(record)));
  if (Buffer.compare(signer.publicKey.blob, parsePublicKey(record.publicKey).blob) !== 0) {
    throw new CaKeyUnavailableError(`CA key ${record.id}: private key does not match its public key`);
  }
  return signer;
}

export function activeCaKey(records: readonly CaKeyRecord[], purpose: CaPurpose): CaKeyRecord {
  const active = records.filter((r) => r.purpose === purpose && r.state === "active");
  if (active.length !== 1)
    throw new CaKeyUnavailableError(`expected one active ${purpose} CA key, found ${active.length}`);
  return active[0] as CaKeyRecord;
}

/** Keys hosts (or clients, for host CAs) must trust now: the active one and any in overlap. */
export function trustedCaKeys(records: readonly CaKeyRecord[], purpose: CaPurpose): PublicKey[] {
  return records
    .filter(
      (r) => r.purpose === purpose && (r.state === "active" || r.state === "next" || r.state === "previous"),
    )
    .map((r) => parsePublicKey(r.publicKey));
}

/**
 * Moves a purpose's keys one rotation step and returns the changed records:
 * `activate` makes the `next` key active and the active one `previous`;
 * `retire` retires every `previous` key.
 */
export function rotate(
  records: readonly CaKeyRecord[],
  purpose: CaPurpose,
  step: "activate" | "retire",
  now: Date,
): CaKeyRecord[] {
  const mine = records.filter((r) => r.purpose === purpose);
  const change = (r: CaKeyRecord, state: CaKeyState): CaKeyRecord => ({ ...r, state, stateChangedAt: now });
  if (step === "retire") return mine.filter((r) => r.state === "previous").map((r) => change(r, "retired"));
  const next = mine.filter((r) => r.state === "next");
  if (next.length !== 1)
    throw new CaKeyUnavailableError(`activation needs exactly one announced ${purpose} CA key`);
  return [
    ...mine.filter((r) => r.state === "active").map((r) => change(r, "previous")),
    change(next[0] as CaKeyRecord, "active"),
  ];
}
