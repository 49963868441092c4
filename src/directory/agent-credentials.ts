/**
 * A host agent's credential (issue 7 item 3): `hostpass-agent join --code` registers the agent's
 * own public key as the credential of its machine's managed identity, through a one-time join code.
 *
 * Join codes are 256-bit random values, shown once, stored as their SHA-256 (full entropy: a fast
 * hash is right), bound to one machine, valid 10 minutes and consumed atomically (a second use
 * fails even when two joins race). Each machine has at most one agent credential: joining again
 * replaces it, and the old key stops working at once. The credential has a client id of its own
 * (not the identity's object id): the instances of a scale set share the set's identity, but each
 * has its own agent, key and stream.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { parsePublicKey } from "../ssh/index.ts";
import { checkPublicJwk } from "./credentials.ts";
import { DirectoryError, InvalidDirectoryInputError } from "./errors.ts";
import type { Principal } from "./types.ts";

export const JOIN_CODE_LIFETIME_MS = 10 * 60_000;
const MAX_HOST_KEYS = 8;

export interface JoinCodeRecord {
  readonly codeHash: string;
  readonly tenantId: string;
  /** The machine's canonical id in lower case. */
  readonly machineKey: string;
  readonly machineId: string;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly usedAt?: Date;
}

export interface AgentCredential {
  /** The OAuth client id the agent authenticates as (private_key_jwt). */
  readonly clientId: string;
  readonly tenantId: string;
  readonly machineKey: string;
  readonly machineId: string;
  /** The managed identity the agent acts as (the VM's, or a scale-set instance's set's). */
  readonly identityId: string;
  readonly publicKeyJwk: Readonly<Record<string, string>>;
  readonly thumbprint: string;
  /** The host's sshd public keys (`ssh-ed25519 AAAA…`), for host certificates. */
  readonly hostKeys: readonly string[];
  readonly createdAt: Date;
}

export interface AgentRepository {
  insertJoinCode(record: JoinCodeRecord): Promise<void>;
  findJoinCode(codeHash: string): Promise<JoinCodeRecord | undefined>;
  /**
   * Marks the code used when it is unused and not expired at `now`, in one statement. Answers the
   * row (as it was before) and whether this call consumed it; undefined when there is no such code.
   */
  consumeJoinCode(
    codeHash: string,
    now: Date,
  ): Promise<{ readonly record: JoinCodeRecord; readonly consumed: boolean } | undefined>;
  /** Replaces the machine's credential (one per machine). */
  putCredential(credential: AgentCredential): Promise<void>;
  findCredential(clientId: string): Promise<AgentCredential | undefined>;
  findCredentialOfMachine(machineKey: string): Promise<AgentCredential | undefined>;
  deleteCredentialOfMachine(machineKey: string): Promise<boolean>;
}

/** The join code is unknown (or malformed), already used, or expired. */
export class JoinCodeRefusedError extends DirectoryError {
  static readonly codes = {
    invalid: "ERR_JOIN_CODE_INVALID",
    used: "ERR_JOIN_CODE_USED",
    expired: "ERR_JOIN_CODE_EXPIRED",
  } as const;
  readonly code: `ERR_${string}`;
  readonly kind = "forbidden";
  constructor(reason: keyof typeof JoinCodeRefusedError.codes) {
    const text = {
      invalid: "the join code is not valid",
      used: "the join code was already used; make a new one (POST <machine id>/joinCode)",
      expired: "the join code has expired; make a new one (POST <machine id>/joinCode)",
    } as const;
    super(text[reason]);
    this.code = JoinCodeRefusedError.codes[reason];
  }
}

/**
 * The seed's exit 22: the machine has no managed identity to hold the agent's credential (the
 * login extension and a join need one).
 */
export class NoManagedIdentityError extends DirectoryError {
  static readonly code = "ERR_EXTENSION_NO_MANAGED_IDENTITY";
  readonly code = NoManagedIdentityError.code;
  readonly kind = "conflict";
  constructor() {
    super(
      "Managed System Identity is required for directory-based SSH login to work. Enable it (hostpass vm identity assign) and try again.",
    );
  }
}

/** The machine's managed identity is disabled: its agent may not join or authenticate. */
export class AgentIdentityDisabledError extends DirectoryError {
  static readonly code = "ERR_AGENT_IDENTITY_DISABLED";
  readonly code = AgentIdentityDisabledError.code;
  readonly kind = "forbidden";
}

export function hashJoinCode(code: string): string {
  return createHash("sha256").update(code, "utf8").digest("hex");
}

/** A new one-time code for `machineId` (canonical id); the code itself is never stored. */
export async function createJoinCode(
  repo: Pick<AgentRepository, "insertJoinCode">,
  input: { readonly tenantId: string; readonly machineId: string; readonly now: Date },
): Promise<{ readonly code: string; readonly expiresAt: Date }> {
  const code = randomBytes(32).toString("base64url");
  const expiresAt = new Date(input.now.getTime() + JOIN_CODE_LIFETIME_MS);
  await repo.insertJoinCode({
    codeHash: hashJoinCode(code),
    tenantId: input.tenantId,
    machineKey: input.machineId.toLowerCase(),
    machineId: input.machineId,
    expiresAt,
    createdAt: input.now,
  });
  return { code, expiresAt };
}

export interface RedeemJoinCodeDeps {
  readonly agents: AgentRepository;
  /** The machine's managed identity (a scale-set instance: its set's); undefined: none, or no machine. */
  readonly identityOf: (machineKey: string) => Promise<Principal | undefined>;
}

export interface RedeemJoinCodeInput {
  readonly code: unknown;
  readonly publicKey: unknown;
  readonly hostKeys: unknown;
  readonly now: Date;
}

function checkHostKeys(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_HOST_KEYS)
    throw new InvalidDirectoryInputError(`hostKeys must be a list of at most ${MAX_HOST_KEYS} public keys`);
  return value.map((line) => {
    if (typeof line !== "string" || line.length > 16_384)
      throw new InvalidDirectoryInputError("a host key must be an OpenSSH public key line");
    try {
      const key = parsePublicKey(line);
      const [type, blob] = line.trim().split(/\s+/);
      if (!type || !blob || key.type.includes("-cert-"))
        throw new InvalidDirectoryInputError("a host key must be a plain public key");
      return `${type} ${blob}`;
    } catch (cause) {
      if (cause instanceof InvalidDirectoryInputError) throw cause;
      throw new InvalidDirectoryInputError("a host key is not an OpenSSH public key", { cause });
    }
  });
}

/**
 * Consumes the code and registers the agent's key for the code's machine. Run it in one
 * transaction: when the machine has no (enabled) identity the error rolls the consumption back,
 * so the same code works once the identity is assigned.
 */
export async function redeemJoinCode(
  deps: RedeemJoinCodeDeps,
  input: RedeemJoinCodeInput,
): Promise<AgentCredential> {
  if (typeof input.code !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(input.code))
    throw new JoinCodeRefusedError("invalid");
  const { jwk, thumbprint } = checkPublicJwk(input.publicKey);
  const hostKeys = checkHostKeys(input.hostKeys);
  const found = await deps.agents.consumeJoinCode(hashJoinCode(input.code), input.now);
  if (found === undefined) throw new JoinCodeRefusedError("invalid");
  if (!found.consumed) throw new JoinCodeRefusedError(found.record.usedAt !== undefined ? "used" : "expired");
  const { record } = found;
  const identity = await deps.identityOf(record.machineKey);
  if (identity === undefined || identity.kind !== "managedIdentity") throw new NoManagedIdentityError();
  if (!identity.enabled)
    throw new AgentIdentityDisabledError(
      "the machine's managed identity is disabled; enable it and join again",
    );
  const credential: AgentCredential = {
    clientId: randomUUID(),
    tenantId: record.tenantId,
    machineKey: record.machineKey,
    machineId: record.machineId,
    identityId: identity.id,
    publicKeyJwk: jwk,
    thumbprint,
    hostKeys,
    createdAt: input.now,
  };
  await deps.agents.putCredential(credential);
  return credential;
}
