/** Test double: an `AccountSource` over Maps; secrets kept as SHA-256 digests like the directory. */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { AccountRecord, AccountSource, ServicePrincipalRecord } from "../../../src/auth/index.ts";

const digest = (secret: string) => createHash("sha256").update(secret).digest();

export class MemoryAccountSource implements AccountSource {
  readonly users = new Map<string, AccountRecord>();
  readonly principals = new Map<string, ServicePrincipalRecord>();
  readonly secrets = new Map<string, Buffer>();

  addUser(tenantId: string, upn: string): AccountRecord {
    const id = randomUUID();
    const user = { id, tenantId, enabled: true, claims: { preferred_username: upn, name: upn, email: upn } };
    this.users.set(id, user);
    return user;
  }

  setUserEnabled(id: string, enabled: boolean): void {
    const user = this.users.get(id);
    if (user) this.users.set(id, { ...user, enabled });
  }

  /** As the directory does on disable or revoke: tokens issued before `atMs` are void. */
  revokeUserSessions(id: string, atMs: number): void {
    const user = this.users.get(id);
    if (user) this.users.set(id, { ...user, sessionsValidFrom: atMs });
  }

  revokePrincipalSessions(appId: string, atMs: number): void {
    const sp = this.principals.get(appId);
    if (sp) this.principals.set(appId, { ...sp, sessionsValidFrom: atMs });
  }

  addServicePrincipal(
    tenantId: string,
    options: { secret?: string; jwks?: Record<string, string>[] } = {},
  ): ServicePrincipalRecord {
    const sp = {
      appId: randomUUID(),
      objectId: randomUUID(),
      tenantId,
      displayName: "automation",
      enabled: true,
      hasClientSecret: options.secret !== undefined,
      certificateJwks: options.jwks ?? [],
    };
    this.principals.set(sp.appId, sp);
    if (options.secret !== undefined) this.secrets.set(sp.appId, digest(options.secret));
    return sp;
  }

  setPrincipalEnabled(appId: string, enabled: boolean): void {
    const sp = this.principals.get(appId);
    if (sp) this.principals.set(appId, { ...sp, enabled });
  }

  async findAccount(accountId: string) {
    return this.users.get(accountId);
  }

  async findServicePrincipal(appId: string) {
    return this.principals.get(appId);
  }

  async verifyClientSecret(appId: string, secret: string) {
    const stored = this.secrets.get(appId);
    const sp = this.principals.get(appId);
    return stored !== undefined && sp?.enabled === true && timingSafeEqual(stored, digest(secret));
  }
}
