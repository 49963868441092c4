/**
 * CA operations an administrator runs (`hostpass ssh ca show|rotate`, `hostpass ssh cert revoke`):
 * what a CA key looks like to an operator, which rotation step comes next and what it changes,
 * and the revocation of one certificate. Pure decisions over records; the caller persists them in
 * the change's transaction (the store records `caKeys.changed` / `revocation.added` with them).
 *
 * Rotation, per purpose (user or host CA): announce (a new key, state `next`: published and
 * trusted by hosts, not signing) → activate (it signs; the old key becomes `previous` and stays
 * trusted) → retire (the previous key is no longer trusted). One step at a time, in that order.
 */
import { fingerprintSha256, type KeyType, parsePublicKey } from "../ssh/index.ts";
import { type CaKeyRecord, type CaKeyState, type CaPurpose, rotate } from "./ca-keys.ts";
import {
  CaInvalidSerialError,
  CaRetireTooEarlyError,
  CaRotationStepError,
  CertificateNotFoundError,
} from "./errors.ts";

export const ROTATION_STEPS = ["announce", "activate", "retire"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** A CA key as an operator sees it: never its private part. */
export interface CaKeyDescription {
  readonly id: string;
  readonly purpose: CaPurpose;
  readonly state: CaKeyState;
  readonly keyType: KeyType;
  readonly bits: number;
  /** `SHA256:…`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** `type base64`. */
  readonly publicKey: string;
  readonly createdAt: Date;
  readonly stateChangedAt: Date;
}

export function describeCaKey(record: CaKeyRecord): CaKeyDescription {
  const key = parsePublicKey(record.publicKey);
  return {
    id: record.id,
    purpose: record.purpose,
    state: record.state,
    keyType: key.type,
    bits: key.bits,
    fingerprint: fingerprintSha256(key.blob),
    publicKey: record.publicKey,
    createdAt: record.createdAt,
    stateChangedAt: record.stateChangedAt,
  };
}

/** The step a rotation of `purpose` is at: activate an announced key, retire a previous one, or announce. */
export function nextRotationStep(records: readonly CaKeyRecord[], purpose: CaPurpose): RotationStep {
  const mine = records.filter((r) => r.purpose === purpose);
  if (mine.some((r) => r.state === "next")) return "activate";
  if (mine.some((r) => r.state === "previous")) return "retire";
  return "announce";
}

export interface RotationOptions {
  readonly now: Date;
  /** Makes the key `announce` adds (ca-keys.ts `createCaKey`: state `next`, private key sealed). */
  readonly newKey: () => CaKeyRecord;
  /**
   * The longest a certificate signed by this purpose's key lives. `retire` waits that long after
   * activation (the previous key's last signature), so no certificate it signed is cut short;
   * absent: no wait (host certificates are renewed by the hosts' channel when the CA changes).
   */
  readonly signedLifetimeSeconds?: number;
  /** Retire now even if certificates the previous key signed may still be valid. */
  readonly force?: boolean;
}

export interface RotationPlan {
  readonly step: RotationStep;
  /** The key to add (announce). */
  readonly insert?: CaKeyRecord;
  /** The records whose state changes (activate, retire). */
  readonly states: readonly CaKeyRecord[];
}

/** Slack on top of a certificate's lifetime before its signing key may be retired (clock skew, replicas). */
export const RETIRE_MARGIN_SECONDS = 120;

/** Decides one rotation step of `purpose`'s CA keys, or refuses it with the step that fits. */
export function planRotation(
  records: readonly CaKeyRecord[],
  purpose: CaPurpose,
  step: RotationStep,
  options: RotationOptions,
): RotationPlan {
  const mine = records.filter((r) => r.purpose === purpose);
  const inState = (state: CaKeyState) => mine.filter((r) => r.state === state);
  const announced = inState("next");
  const previous = inState("previous");
  if (step === "announce") {
    if (announced.length > 0)
      throw new CaRotationStepError(
        `a new ${purpose} CA key is already announced (${announced[0]?.id}): activate it first`,
      );
    if (previous.length > 0)
      throw new CaRotationStepError(`the previous ${purpose} CA key is still trusted: retire it first`);
    return { step, insert: options.newKey(), states: [] };
  }
  if (step === "activate") {
    if (announced.length !== 1)
      throw new CaRotationStepError(`no new ${purpose} CA key is announced: announce one first`);
    return { step, states: rotate(records, purpose, "activate", options.now) };
  }
  if (previous.length === 0)
    throw new CaRotationStepError(`there is no previous ${purpose} CA key to retire`);
  if (options.signedLifetimeSeconds !== undefined && options.force !== true) {
    const lastSigned = Math.max(...previous.map((r) => r.stateChangedAt.getTime()));
    const safeAt = lastSigned + (options.signedLifetimeSeconds + RETIRE_MARGIN_SECONDS) * 1000;
    if (options.now.getTime() < safeAt)
      throw new CaRetireTooEarlyError(
        `certificates signed by the previous ${purpose} CA key may be valid until ${new Date(safeAt).toISOString()}: retire it then, or force it to refuse them now`,
      );
  }
  return { step, states: rotate(records, purpose, "retire", options.now) };
}

/** Serials go up to 2^63-1 (the ledger's column; the CA never issues 0). */
export const MAX_CERTIFICATE_SERIAL = (1n << 63n) - 1n;

/** A serial as an operator types it: decimal digits, 1..2^63-1; anything else is refused. */
export function parseCertificateSerial(text: string): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(text) || BigInt(text) > MAX_CERTIFICATE_SERIAL)
    throw new CaInvalidSerialError(
      `a certificate serial is a whole number from 1 to ${MAX_CERTIFICATE_SERIAL}, not ${JSON.stringify(text.slice(0, 40))}`,
    );
  return BigInt(text);
}

/** The ledger's side of revoking one certificate (the store's certificate repository has it). */
export interface SingleRevocationStore {
  get(serial: bigint): Promise<{ readonly tenantId: string } | undefined>;
  /** True when this call revoked it. */
  revokeSerial(serial: bigint, at: Date, reason: string): Promise<boolean>;
}

/**
 * Revokes one certificate of the tenant: true when this call revoked it, false when it already was.
 * A serial of another tenant is answered as unknown. Run it in the change's transaction.
 */
export async function revokeCertificate(
  store: SingleRevocationStore,
  input: { readonly tenantId: string; readonly serial: bigint; readonly at: Date; readonly reason: string },
): Promise<boolean> {
  const found = await store.get(input.serial);
  if (found === undefined || found.tenantId !== input.tenantId)
    throw new CertificateNotFoundError(`no certificate with serial ${input.serial}`);
  return store.revokeSerial(input.serial, input.at, input.reason);
}
