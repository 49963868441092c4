/**
 * The tenant's SCIM bearer token: 256 random bits shown once, stored as SHA-256 (a fast hash is
 * right for a full-entropy secret: there is nothing to guess). Creating one replaces the old
 * one, which stops working at once: that is the rotation.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { ScimTokenInvalidError, ScimTokenNotFoundError } from "./errors.ts";
import type { FederationRepository, ScimTokenRecord } from "./repository.ts";

const PREFIX = "hpscim_";
const SHAPE = /^hpscim_[A-Za-z0-9_-]{43}$/;

export interface NewScimToken extends ScimTokenRecord {
  /** Shown to the administrator once; never stored. */
  readonly token: string;
}

export function hashScimToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export async function createScimToken(
  repo: FederationRepository,
  tenantId: string,
  now: Date,
): Promise<NewScimToken> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const record: ScimTokenRecord = {
    id: randomUUID(),
    tenantId,
    hint: token.slice(0, PREFIX.length + 4),
    createdAt: now,
  };
  await repo.putScimToken(record, hashScimToken(token));
  return { ...record, token };
}

export async function getScimToken(repo: FederationRepository, tenantId: string): Promise<ScimTokenRecord> {
  const found = await repo.getScimToken(tenantId);
  if (!found) throw new ScimTokenNotFoundError("the tenant has no SCIM token");
  return found;
}

export async function deleteScimToken(repo: FederationRepository, tenantId: string): Promise<void> {
  if (!(await repo.deleteScimToken(tenantId)))
    throw new ScimTokenNotFoundError("the tenant has no SCIM token");
}

/** The tenant whose current token this is; anything else is the same fixed refusal. */
export async function verifyScimToken(repo: FederationRepository, token: string): Promise<ScimTokenRecord> {
  if (!SHAPE.test(token)) throw new ScimTokenInvalidError();
  const found = await repo.findScimTokenByHash(hashScimToken(token));
  if (!found) throw new ScimTokenInvalidError();
  return found;
}
