/** Client devices: a registered public key, a platform and a compliance flag for conditional access. */
import { randomUUID } from "node:crypto";
import { checkPublicJwk } from "./credentials.ts";
import {
  DeviceNotFoundError,
  DirectoryConflictError,
  InvalidDirectoryInputError,
  TenantNotFoundError,
} from "./errors.ts";
import { checkDisplayName, timeOf } from "./lib/checks.ts";
import type { DirectoryRepository } from "./repository.ts";
import { DEVICE_PLATFORMS, type Device, type DevicePlatform } from "./types.ts";

export interface RegisterDeviceInput {
  readonly tenantId: string;
  readonly ownerId?: string;
  readonly displayName: string;
  readonly platform: string;
  /** The device's public key as a JWK; its RFC 7638 thumbprint identifies the device. */
  readonly publicKeyJwk?: unknown;
  /** Or only the thumbprint (base64url SHA-256), when the key itself is held elsewhere (a TPM, an MDM). */
  readonly keyThumbprint?: string;
  readonly compliant?: boolean;
  readonly now?: () => Date;
}

function deviceKey(input: RegisterDeviceInput): {
  jwk: Readonly<Record<string, string>> | undefined;
  thumbprint: string;
} {
  if ((input.publicKeyJwk === undefined) === (input.keyThumbprint === undefined)) {
    throw new InvalidDirectoryInputError("give the device's public key or its thumbprint, not both");
  }
  if (input.publicKeyJwk !== undefined) return checkPublicJwk(input.publicKeyJwk);
  if (typeof input.keyThumbprint !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(input.keyThumbprint)) {
    throw new InvalidDirectoryInputError("key thumbprint must be a base64url SHA-256 (43 characters)");
  }
  return { jwk: undefined, thumbprint: input.keyThumbprint };
}

export async function registerDevice(repo: DirectoryRepository, input: RegisterDeviceInput): Promise<Device> {
  if (!(DEVICE_PLATFORMS as readonly string[]).includes(input.platform)) {
    throw new InvalidDirectoryInputError(`platform must be one of ${DEVICE_PLATFORMS.join(", ")}`);
  }
  const { jwk, thumbprint } = deviceKey(input);
  const now = timeOf(input.now);
  const device: Device = {
    id: randomUUID(),
    tenantId: input.tenantId,
    ownerId: input.ownerId,
    displayName: checkDisplayName(input.displayName),
    platform: input.platform as DevicePlatform,
    keyThumbprint: thumbprint,
    keyJwk: jwk,
    compliant: input.compliant ?? false,
    createdAt: now,
    updatedAt: now,
  };
  return repo.transaction(async (tx) => {
    if (!(await tx.getTenant(input.tenantId))) throw new TenantNotFoundError("tenant not found");
    if (await tx.findDeviceByThumbprint(input.tenantId, thumbprint)) {
      throw new DirectoryConflictError("a device with this key is already registered");
    }
    await tx.insertDevice(device);
    return device;
  });
}

export async function setDeviceCompliant(
  repo: DirectoryRepository,
  input: { tenantId: string; deviceId: string; compliant: boolean; now?: () => Date },
): Promise<void> {
  if (!(await repo.setDeviceCompliant(input.tenantId, input.deviceId, input.compliant, timeOf(input.now)))) {
    throw new DeviceNotFoundError("device not found");
  }
}

export async function getDevice(repo: DirectoryRepository, tenantId: string, id: string): Promise<Device> {
  const d = await repo.getDevice(tenantId, id);
  if (!d) throw new DeviceNotFoundError("device not found");
  return d;
}
