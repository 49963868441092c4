/**
 * This machine's device identity for conditional access: a P-256 key the CLI generates and keeps
 * in `device.json` (0600) per cloud, registered with the service (`hostpass device register`), and
 * used to sign a device proof on every certificate request.
 */
import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { readState, writeState } from "./config-dir.ts";

export interface DeviceIdentity {
  readonly cloud: string;
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

interface StoredDevice {
  readonly cloud: string;
  readonly id: string;
  readonly privateJwk: JsonWebKey;
}

const FILE = "devices.json";

export function newDeviceKey(): { privateKey: KeyObject; publicJwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { privateKey, publicJwk: publicKey.export({ format: "jwk" }) as JWK };
}

export async function saveDevice(
  dir: string,
  cloud: string,
  id: string,
  privateKey: KeyObject,
): Promise<void> {
  const { devices } = await readState<{ devices: StoredDevice[] }>(dir, FILE, { devices: [] });
  const entry: StoredDevice = { cloud, id, privateJwk: privateKey.export({ format: "jwk" }) };
  await writeState(dir, FILE, { devices: [...devices.filter((d) => d.cloud !== cloud), entry] });
}

export async function loadDevice(dir: string, cloud: string): Promise<DeviceIdentity | undefined> {
  const { devices } = await readState<{ devices: StoredDevice[] }>(dir, FILE, { devices: [] });
  const stored = devices.find((d) => d.cloud === cloud);
  if (!stored) return undefined;
  const privateKey = createPrivateKey({ key: stored.privateJwk, format: "jwk" });
  const { d: _d, ...publicJwk } = stored.privateJwk;
  return { cloud, id: stored.id, privateKey, publicJwk: publicJwk as JWK };
}
