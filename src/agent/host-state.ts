/**
 * The service's messages, checked before the agent believes any of them. This file checks shape
 * and bounds of a whole `HostState` / `HostStatePatch` / `HostEvent` (a message that fails is
 * refused whole and nothing is written); the per-login rules (names, uids, local accounts) are
 * applied in plan-logins.ts, so one bad login is refused alone and the rest, revocations
 * included, still take effect.
 */
import { parseResourceId } from "../resources/index.ts";
import {
  CA_KEY_STATUSES,
  type GraceRule,
  HOST_PROTOCOL_VERSION,
  type HostEvent,
  type HostLogin,
  type HostState,
  type HostStatePatch,
  LOGIN_LEVELS,
  type TrustedCaKey,
} from "../shared/host-protocol.ts";
import { parsePublicKey } from "../ssh/index.ts";
import { HostStateInvalidError } from "./errors.ts";

/** Bounds that keep a hostile message from exhausting the host (far above any real host's needs). */
export const LIMITS = Object.freeze({
  logins: 100_000,
  caKeys: 16,
  hostCertificates: 8,
  textLength: 1024,
  keyLength: 16 * 1024,
});

const LOGIN_KINDS = ["user", "servicePrincipal", "managedIdentity"] as const;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function fail(path: string, message: string): never {
  throw new HostStateInvalidError(`host state: ${path} ${message}`);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "must be an object");
  return value as Record<string, unknown>;
}

function list(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(path, "must be an array");
  if (value.length > max) fail(path, `has more than ${max} entries`);
  return value;
}

function text(value: unknown, path: string, max: number = LIMITS.textLength): string {
  if (typeof value !== "string") fail(path, "must be a string");
  if (value.length > max) fail(path, `is longer than ${max}`);
  return value;
}

function id(value: unknown, path: string): string {
  const s = text(value, path);
  if (!ID.test(s)) fail(path, "is not an identifier");
  return s;
}

function version(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(path, "must be a non-negative integer");
  return value as number;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(value as T)) fail(path, `must be one of ${allowed.join(", ")}`);
  return value as T;
}

function caKeys(value: unknown, path: string): TrustedCaKey[] {
  return list(value, path, LIMITS.caKeys).map((entry, i) => {
    const r = record(entry, `${path}[${i}]`);
    const publicKey = text(r.publicKey, `${path}[${i}].publicKey`, LIMITS.keyLength);
    try {
      parsePublicKey(publicKey); // a plain key of an accepted type; certificates are refused
    } catch (cause) {
      fail(`${path}[${i}].publicKey`, `is not a public key (${(cause as Error).message})`);
    }
    return {
      id: id(r.id, `${path}[${i}].id`),
      status: oneOf(r.status, CA_KEY_STATUSES, `${path}[${i}].status`),
      publicKey,
    };
  });
}

/** Login entries keep their raw name and uid: plan-logins.ts decides each one. */
function logins(value: unknown, path: string): HostLogin[] {
  return list(value, path, LIMITS.logins).map((entry, i) => {
    const r = record(entry, `${path}[${i}]`);
    return {
      objectId: id(r.objectId, `${path}[${i}].objectId`),
      kind: oneOf(r.kind, LOGIN_KINDS, `${path}[${i}].kind`),
      linuxName: text(r.linuxName, `${path}[${i}].linuxName`, 256),
      uid: typeof r.uid === "number" ? r.uid : fail(`${path}[${i}].uid`, "must be a number"),
      level: oneOf(r.level, LOGIN_LEVELS, `${path}[${i}].level`),
      displayName: text(r.displayName ?? "", `${path}[${i}].displayName`),
    };
  });
}

function hostCertificates(value: unknown, path: string): string[] {
  return list(value, path, LIMITS.hostCertificates).map((c, i) => text(c, `${path}[${i}]`, LIMITS.keyLength));
}

function grace(value: unknown, path: string): GraceRule {
  const r = record(value, path);
  const adminSeconds = version(r.adminSeconds, `${path}.adminSeconds`);
  const allSeconds = version(r.allSeconds, `${path}.allSeconds`);
  if (adminSeconds < 60) fail(`${path}.adminSeconds`, "must be at least 60");
  if (allSeconds < adminSeconds) fail(`${path}.allSeconds`, "must not be shorter than adminSeconds");
  return { adminSeconds, allSeconds };
}

function sha256Hex(value: unknown, path: string): string {
  const s = text(value, path);
  if (!/^[0-9a-f]{64}$/.test(s)) fail(path, "must be 64 lower-case hex digits");
  return s;
}

export function validateHostState(value: unknown): HostState {
  const r = record(value, "state");
  if (r.protocol !== HOST_PROTOCOL_VERSION) fail("state.protocol", `must be ${HOST_PROTOCOL_VERSION}`);
  const machineId = text(r.machineId, "state.machineId");
  try {
    parseResourceId(machineId);
  } catch {
    fail("state.machineId", "is not a resource id");
  }
  if (typeof r.loginEnabled !== "boolean") fail("state.loginEnabled", "must be a boolean");
  return Object.freeze({
    protocol: HOST_PROTOCOL_VERSION,
    version: version(r.version, "state.version"),
    tenantId: id(r.tenantId, "state.tenantId"),
    machineId,
    loginEnabled: r.loginEnabled,
    userCaKeys: caKeys(r.userCaKeys, "state.userCaKeys"),
    krlSha256: sha256Hex(r.krlSha256, "state.krlSha256"),
    logins: logins(r.logins, "state.logins"),
    hostCertificates: hostCertificates(r.hostCertificates ?? [], "state.hostCertificates"),
    grace: grace(r.grace, "state.grace"),
  });
}

export function validateHostStatePatch(value: unknown): HostStatePatch {
  const r = record(value, "patch");
  const patch: { -readonly [K in keyof HostStatePatch]: HostStatePatch[K] } = {
    version: version(r.version, "patch.version"),
  };
  if (r.loginEnabled !== undefined) {
    if (typeof r.loginEnabled !== "boolean") fail("patch.loginEnabled", "must be a boolean");
    patch.loginEnabled = r.loginEnabled;
  }
  if (r.userCaKeys !== undefined) patch.userCaKeys = caKeys(r.userCaKeys, "patch.userCaKeys");
  if (r.krlSha256 !== undefined) patch.krlSha256 = sha256Hex(r.krlSha256, "patch.krlSha256");
  if (r.upsertLogins !== undefined) patch.upsertLogins = logins(r.upsertLogins, "patch.upsertLogins");
  if (r.removeLogins !== undefined) {
    patch.removeLogins = list(r.removeLogins, "patch.removeLogins", LIMITS.logins).map((o, i) =>
      id(o, `patch.removeLogins[${i}]`),
    );
  }
  if (r.hostCertificates !== undefined) {
    patch.hostCertificates = hostCertificates(r.hostCertificates, "patch.hostCertificates");
  }
  if (r.grace !== undefined) patch.grace = grace(r.grace, "patch.grace");
  return Object.freeze(patch);
}

/**
 * The state after a patch. A patch whose version is not newer than the state's was already
 * applied (a resumed stream may repeat one): the state is returned unchanged.
 */
export function applyPatch(state: HostState, patch: HostStatePatch): HostState {
  if (patch.version <= state.version) return state;
  let logins = state.logins;
  if (patch.upsertLogins?.length || patch.removeLogins?.length) {
    const byId = new Map(state.logins.map((l) => [l.objectId, l]));
    for (const removed of patch.removeLogins ?? []) byId.delete(removed);
    for (const login of patch.upsertLogins ?? []) byId.set(login.objectId, login);
    logins = [...byId.values()];
  }
  return Object.freeze({
    ...state,
    version: patch.version,
    loginEnabled: patch.loginEnabled ?? state.loginEnabled,
    userCaKeys: patch.userCaKeys ?? state.userCaKeys,
    krlSha256: patch.krlSha256 ?? state.krlSha256,
    logins,
    hostCertificates: patch.hostCertificates ?? state.hostCertificates,
    grace: patch.grace ?? state.grace,
  });
}

/** One server-sent event (`event:` name and `data:` JSON) → a checked `HostEvent`. */
export function parseHostEvent(type: string, data: string): HostEvent {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    fail(`event ${JSON.stringify(type.slice(0, 32))}`, "data is not JSON");
  }
  const r = record(body, `event ${type}`);
  switch (type) {
    case "snapshot":
      return { type, state: validateHostState(r.state) };
    case "patch":
      return { type, patch: validateHostStatePatch(r.patch) };
    case "heartbeat":
      return { type, version: version(r.version, "heartbeat.version") };
    case "terminateSessions":
      return {
        type,
        linuxNames: list(r.linuxNames, "terminateSessions.linuxNames", 1000).map((n, i) =>
          text(n, `terminateSessions.linuxNames[${i}]`, 256),
        ),
      };
    default:
      fail(`event ${JSON.stringify(type.slice(0, 32))}`, "is not a known event type");
  }
}
