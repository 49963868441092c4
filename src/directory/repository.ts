/**
 * The storage the directory needs; `store/` implements it on SQLite and PostgreSQL.
 *
 * Repositories store and fetch; the rules (normalisation, name validation, cycle checks,
 * hashing) live in the domain functions that call them. Inserts that hit a unique index fail
 * with `DirectoryConflictError` (or the more precise `UpnTakenError` / `LinuxNameTakenError`).
 */
import type {
  CertificateCredential,
  ClientSecret,
  Device,
  Group,
  ManagedIdentity,
  Page,
  PageRequest,
  Principal,
  PrincipalKind,
  ServicePrincipal,
  Tenant,
  User,
} from "./types.ts";

export interface DirectoryRepository {
  /**
   * Runs `work` in one transaction with a repository bound to it. Inside a transaction this
   * simply calls `work` with the same transaction (no nesting).
   */
  transaction<T>(work: (repo: DirectoryRepository) => Promise<T>): Promise<T>;

  insertTenant(tenant: Tenant, firstUid: number): Promise<void>;
  getTenant(id: string): Promise<Tenant | undefined>;
  findTenantByName(nameKey: string): Promise<Tenant | undefined>;
  /**
   * Serialises writers of this tenant until the transaction ends (a row lock on PostgreSQL;
   * SQLite already has one writer). Used where a check and a write must not interleave.
   */
  lockTenant(tenantId: string): Promise<void>;
  /** Hands out the tenant's next uid and advances the counter atomically. */
  allocateUid(tenantId: string): Promise<number>;

  getPrincipal(tenantId: string, id: string): Promise<Principal | undefined>;
  /** Principals of the given ids that exist in the tenant (order not significant). */
  getPrincipals(tenantId: string, ids: readonly string[]): Promise<readonly Principal[]>;
  findPrincipalByLinuxName(tenantId: string, linuxName: string): Promise<Principal | undefined>;
  /**
   * `search`: only principals whose display name, UPN (users) or app id (service principals)
   * contains it, ignoring case (an assignee picker's search box).
   */
  listPrincipals(
    tenantId: string,
    kind: PrincipalKind,
    page: PageRequest,
    filter?: { readonly search?: string },
  ): Promise<Page<Principal>>;
  setPrincipalEnabled(tenantId: string, id: string, enabled: boolean): Promise<boolean>;
  /**
   * Voids every token issued to the principal before `before` (moves its sessions-valid-from time
   * forward to it; never back). False when there is no such principal.
   */
  voidSessions(tenantId: string, id: string, before: Date): Promise<boolean>;
  setDisplayName(tenantId: string, id: string, displayName: string): Promise<boolean>;
  /** Deletes the principal and everything that hangs off it (memberships, credentials). */
  deletePrincipal(tenantId: string, id: string): Promise<boolean>;

  /** `changeRequired`: the holder must choose a new password at the next sign-in. */
  insertUser(
    user: User,
    upnKey: string,
    passwordHash: string | undefined,
    changeRequired?: boolean,
  ): Promise<void>;
  findUserByUpn(tenantId: string, upnKey: string): Promise<User | undefined>;
  /**
   * Every tenant: the tenants with a user of this UPN, and the tenant of a principal id (ids are
   * unique across tenants). Sign-in uses them to find the account's tenant in one read.
   */
  findTenantsOfUpn(upnKey: string): Promise<readonly string[]>;
  findTenantOfPrincipal(id: string): Promise<string | undefined>;
  getPasswordHash(tenantId: string, userId: string): Promise<string | undefined>;
  /** Sets the hash and whether it must be changed at the next sign-in (default: no). */
  setPasswordHash(
    tenantId: string,
    userId: string,
    hash: string | undefined,
    changeRequired?: boolean,
  ): Promise<boolean>;
  /** False for an unknown user. */
  isPasswordChangeRequired(tenantId: string, userId: string): Promise<boolean>;

  insertGroup(group: Group): Promise<void>;
  /** Idempotent: adding an existing membership is not an error. */
  addGroupMember(tenantId: string, groupId: string, memberId: string, now: Date): Promise<void>;
  removeGroupMember(tenantId: string, groupId: string, memberId: string): Promise<boolean>;
  listGroupMembers(tenantId: string, groupId: string, page: PageRequest): Promise<Page<Principal>>;
  /**
   * Every group `memberId` is in, directly or through other groups, in one round trip (a
   * recursive query; it terminates even on a cyclic membership graph).
   */
  listTransitiveGroups(tenantId: string, memberId: string): Promise<readonly string[]>;
  /**
   * The tenant's direct memberships in (group id, member id) order, after `after` (exclusive),
   * at most `limit` (1..10000): a snapshot of the membership graph, read in pages.
   */
  listMemberships(
    tenantId: string,
    after: { readonly groupId: string; readonly memberId: string } | undefined,
    limit: number,
  ): Promise<readonly { readonly groupId: string; readonly memberId: string }[]>;

  insertServicePrincipal(sp: ServicePrincipal): Promise<void>;
  findServicePrincipalByAppId(appId: string): Promise<ServicePrincipal | undefined>;
  insertClientSecret(secret: ClientSecret, hash: string): Promise<void>;
  findClientSecretByHash(hash: string): Promise<ClientSecret | undefined>;
  listClientSecrets(tenantId: string, principalId: string): Promise<readonly ClientSecret[]>;
  insertCertificateCredential(credential: CertificateCredential): Promise<void>;
  listCertificateCredentials(
    tenantId: string,
    principalId: string,
  ): Promise<readonly CertificateCredential[]>;
  /** Removes a secret or certificate credential of the principal. */
  deleteCredential(tenantId: string, principalId: string, credentialId: string): Promise<boolean>;

  insertManagedIdentity(identity: ManagedIdentity, resourceKey: string): Promise<void>;
  findManagedIdentityByResource(resourceKey: string): Promise<ManagedIdentity | undefined>;

  insertDevice(device: Device): Promise<void>;
  getDevice(tenantId: string, id: string): Promise<Device | undefined>;
  /** The tenant's devices by id (keyset pages). */
  listDevices(tenantId: string, page: PageRequest): Promise<Page<Device>>;
  findDeviceByThumbprint(tenantId: string, thumbprint: string): Promise<Device | undefined>;
  setDeviceCompliant(tenantId: string, id: string, compliant: boolean, now: Date): Promise<boolean>;
  deleteDevice(tenantId: string, id: string): Promise<boolean>;
}
