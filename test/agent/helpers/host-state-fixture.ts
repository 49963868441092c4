/** HostState builders for the agent's tests: a tenant's CA, a KRL, logins. */
import { createHash } from "node:crypto";
import type { HostLogin, HostState, LoginLevel } from "../../../src/shared/host-protocol.ts";
import { encodeKrl, formatPublicKey, type KrlInput } from "../../../src/ssh/index.ts";
import { testKeyPair } from "../../helpers/ssh-fixtures.ts";

export const TENANT = "7a1c0de0-0000-4000-8000-000000000001";
export const MACHINE =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Compute/virtualMachines/vm1";

export const userCa = () => testKeyPair("ssh-ed25519", "agent-user-ca");

export function krlBytes(input: Partial<KrlInput> = {}): Uint8Array {
  return encodeKrl({ version: 1n, generatedAt: 1_700_000_000n, ...input });
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

let nextUid = 100_001;

/** A UUID object id, as the directory's (the service checks key ids are `<uuid>@<uuid>`). */
export function objectIdOf(n: number): string {
  return `0b7ec7a0-0000-4000-8000-${n.toString().padStart(12, "0")}`;
}

export function login(
  linuxName: string,
  level: LoginLevel = "user",
  overrides: Partial<HostLogin> = {},
): HostLogin {
  const uid = overrides.uid ?? nextUid++;
  return {
    objectId: objectIdOf(uid),
    kind: "user",
    linuxName,
    uid,
    level,
    displayName: `User ${linuxName}`,
    ...overrides,
  };
}

export function hostState(overrides: Partial<HostState> = {}, krl = krlBytes()): HostState {
  return {
    protocol: 1,
    version: 1,
    tenantId: TENANT,
    machineId: MACHINE,
    loginEnabled: true,
    userCaKeys: [{ id: "ca-1", status: "active", publicKey: formatPublicKey(userCa().publicKey, "ca-1") }],
    krlSha256: sha256Hex(krl),
    logins: [],
    hostCertificates: [],
    grace: { adminSeconds: 3600, allSeconds: 86_400 },
    ...overrides,
  };
}
