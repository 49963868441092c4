import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditHead, type AuditRepository, deriveAuditChainKey } from "../../src/audit/index.ts";
import type { IssuedCertificate } from "../../src/ca/index.ts";
import { PrincipalNotFoundError } from "../../src/directory/errors.ts";
import {
  createRoleAssignment,
  MemoryRbacRepository,
  RbacEngine,
  SYSTEM_ACTOR,
} from "../../src/rbac/index.ts";
import type { ApiPrincipal } from "../../src/server/auth/tokens.ts";
import { type App, buildServer } from "../../src/server/build-server.ts";
import type { AuditRecord, DomainServices, ResolvedPrincipal } from "../../src/server/deps.ts";
import { createTestTokenKeys, type MintOptions, mintAccessToken, type TestTokenKeys } from "./token-mint.ts";

export const TENANT = "11111111-1111-4111-8111-111111111111";

export function user(objectId: string): ApiPrincipal {
  return { objectId, tenantId: TENANT, type: "user" };
}

/** In-memory stand-ins for the directory and audit (RBAC is the real engine on its memory repository). */
export interface TestWorld {
  readonly rbacRepository: MemoryRbacRepository;
  readonly audit: AuditRecord[];
  /** assignee (UPN, object id, app id) → principal. */
  readonly principals: Map<string, ResolvedPrincipal>;
  engine(): Promise<RbacEngine>;
  /** Assigns a role as the service itself (bootstrap path). */
  grant(role: string, principalId: string, scope: string): Promise<void>;
}

export function testWorld(): TestWorld & { services: DomainServices } {
  const rbacRepository = new MemoryRbacRepository();
  const audit: AuditRecord[] = [];
  const principals = new Map<string, ResolvedPrincipal>();
  let engine: Promise<RbacEngine> | undefined;
  const engineFor = async (tenantId: string) => {
    if (tenantId !== TENANT) throw new TypeError(`unexpected tenant ${tenantId}`);
    engine ??= RbacEngine.open({
      repository: rbacRepository,
      tenantId,
      groups: () => [],
      ancestry: () => [],
    });
    return engine;
  };
  const services: DomainServices = {
    rbac: engineFor,
    resolveAssignee: async (_tenantId, assignee) => {
      const found = principals.get(assignee.toLowerCase());
      if (!found) throw new PrincipalNotFoundError(`no principal '${assignee}'`);
      return found;
    },
    // No resource tree here: every scope counts as existing, as written (the store server checks).
    resolveScope: async (_tenantId, scope) => scope,
    audit: { append: async (record) => void audit.push(record) },
    // No store here: a "transaction" hands out the in-memory RBAC repository and an activity
    // log that lands in the same `audit` array (no atomicity to test in this world).
    transaction: (_tenantId, work) =>
      work({
        directory: unused("directory"),
        resources: unused("resources"),
        rbac: rbacRepository,
        audit: memoryAuditLog(audit),
        certificates: unused("certificates"),
        agents: unused("agents"),
      }),
    // These tests exercise RBAC routes only; the directory and resource routes run on the real store.
    // GET /me adds names from the directory when it has them: this world has none.
    directory: unused("directory", { getTenant: async () => undefined, getPrincipal: async () => undefined }),
    resources: unused("resources"),
    auditLog: unused("auditLog"),
  };
  return {
    services,
    rbacRepository,
    audit,
    principals,
    engine: () => engineFor(TENANT),
    grant: async (role, principalId, scope) => {
      const e = await engineFor(TENANT);
      await createRoleAssignment(e, SYSTEM_ACTOR, { role, principalId, principalType: "User", scope });
    },
  };
}

function memoryAuditLog(records: AuditRecord[]): AuditRepository {
  let head: AuditHead = { seq: 0, hash: "0".repeat(64) };
  const repo: AuditRepository = {
    chainKey: deriveAuditChainKey(randomBytes(32)),
    transaction: (work) => work(repo),
    lockHead: async () => head,
    getHead: async () => head,
    append: async (events, seal) => {
      for (const e of events) records.push(e);
      const last = events.at(-1);
      if (last) head = { seq: last.seq, hash: last.hash, seal };
    },
    scan: unused("auditLog.scan"),
    query: unused("auditLog.query"),
  };
  return repo;
}

function unused<T>(name: string, answers: Record<string, unknown> = {}): T {
  return new Proxy(answers, {
    get: (target, key) => {
      if (typeof key === "string" && Object.hasOwn(target, key)) return target[key];
      throw new TypeError(`test world: ${name}.${String(key)} is not available here`);
    },
  }) as T;
}

export interface TestServer {
  readonly app: App;
  readonly keys: TestTokenKeys;
  readonly dataDir: string;
  /** Mints an API token as the authorization server would (test/e2e signs in for real). */
  token(principal: ApiPrincipal, options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export async function tempDir(prefix = "hostpass-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startTestServer(services: DomainServices = testWorld().services): Promise<TestServer> {
  const dataDir = await tempDir();
  const keys = await createTestTokenKeys();
  const app = await buildServer({ services, trust: () => keys.trust });
  return {
    app,
    keys,
    dataDir,
    token: (principal, options) => mintAccessToken(keys, principal, options),
    close: async () => {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A ledger entry for a certificate valid now (issued a minute ago, for an hour), to record and revoke. */
export function validCertificateOf(tenantId: string, objectId: string, serial: bigint): IssuedCertificate {
  return {
    serial,
    tenantId,
    objectId,
    principal: "someone",
    keyId: `${objectId}@${tenantId}`,
    keyFingerprint: `SHA256:${"B".repeat(43)}`,
    caKeyId: "ca",
    validAfter: new Date(Date.now() - 60_000),
    validBefore: new Date(Date.now() + 3_600_000),
    tokenId: "t",
    policies: [],
    issuedAt: new Date(Date.now() - 60_000),
  };
}
