/**
 * The database as Kysely sees it. Row types are written once here; `Selectable`, `Insertable`
 * and `Updateable` are derived where needed.
 *
 * Portable conventions (see dialect-profile.ts): ids are text (UUIDs or canonical resource ids),
 * times are `bigint` epoch milliseconds, JSON is text, flags are `boolean` (0/1 on SQLite).
 * Case-insensitive names have a lower-cased `*_key` column that carries the unique index.
 */
import type { ColumnType, Generated } from "kysely";
import type { SignInTables } from "./schema-sign-in.ts";

/** Written as a boolean, read back as a boolean (pg) or 0/1 (SQLite). */
type Flag = ColumnType<boolean | number, boolean, boolean>;
/** Epoch milliseconds. */
type Millis = number;

export interface TenantsTable {
  id: string;
  name: string;
  name_key: string;
  display_name: string;
  /** Next POSIX uid to hand out; only ever incremented, so a uid is never reused. */
  next_uid: number;
  created_at: Millis;
}

export interface PrincipalsTable {
  id: string;
  tenant_id: string;
  kind: "user" | "group" | "servicePrincipal" | "managedIdentity";
  display_name: string;
  enabled: Flag;
  linux_name: string | null;
  uid: number | null;
  created_at: Millis;
  /** Tokens issued before this time are void (0: never revoked); only moves forward. Migration 0060. */
  sessions_valid_from: Generated<Millis>;
}

export interface UsersTable {
  principal_id: string;
  tenant_id: string;
  upn: string;
  upn_key: string;
  password_hash: string | null;
  /** The holder must choose a new password at the next sign-in (migration 0050). */
  password_change_required: ColumnType<boolean | number, boolean | undefined, boolean>;
}

export interface GroupsTable {
  principal_id: string;
  tenant_id: string;
  description: Generated<string>;
}

export interface GroupMembersTable {
  tenant_id: string;
  group_id: string;
  member_id: string;
  created_at: Millis;
}

export interface ServicePrincipalsTable {
  principal_id: string;
  tenant_id: string;
  app_id: string;
}

export interface ClientSecretsTable {
  id: string;
  principal_id: string;
  tenant_id: string;
  secret_hash: string;
  hint: string;
  expires_at: Millis;
  created_at: Millis;
}

export interface CertificateCredentialsTable {
  id: string;
  principal_id: string;
  tenant_id: string;
  thumbprint: string;
  public_key_jwk: string;
  expires_at: Millis | null;
  created_at: Millis;
}

export interface ManagedIdentitiesTable {
  principal_id: string;
  tenant_id: string;
  resource_id: string;
  resource_key: string;
}

export interface DevicesTable {
  id: string;
  tenant_id: string;
  owner_id: string | null;
  display_name: string;
  platform: string;
  key_thumbprint: string;
  key_jwk: string | null;
  compliant: Flag;
  created_at: Millis;
  updated_at: Millis;
}

export interface ResourcesTable {
  /** The canonical id lower-cased: the identity used for lookups and foreign keys. */
  key: string;
  /** The canonical id as first written (keyword case fixed, name case preserved). */
  id: string;
  tenant_id: string;
  kind: string;
  name: string;
  parent_key: string | null;
  display_name: string;
  location: string;
  /** JSON text object. */
  tags: Generated<string>;
  created_at: Millis;
  updated_at: Millis;
}

export interface VirtualMachinesTable {
  resource_key: string;
  image: string;
  admin_username: string;
  size: string;
  identity_principal_id: string | null;
  agent_status: string;
  last_heartbeat_at: Millis | null;
  /** On a scale set: the current model. On a VM: the model applied (scale-set instances). */
  model_version: number;
  /** The break-glass administrator's OpenSSH public key line (migration 0040). */
  admin_ssh_public_key: string | null;
}

export interface NetworkInterfacesTable {
  resource_key: string;
  name: string;
  private_ip: string | null;
  public_ip: string | null;
  position: number;
}

export interface VmExtensionsTable {
  resource_key: string;
  name: string;
  publisher: string;
  type: string;
  version: string;
  provisioning_state: string;
  /** JSON text object (public settings only; protected settings never reach the store). */
  settings: Generated<string>;
  updated_at: Millis;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  time: Millis;
  tenant_id: string;
  actor: string;
  action: string;
  target: string;
  target_key: string;
  result: string;
  correlation_id: string;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  chain: string;
  seq: number;
  hash: string;
  /** The head's seal (audit `headSeal`, an HMAC under the chain key); null before the first keyed append (0061). */
  seal: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Custom role definitions only (built-ins live in rbac/ code). Times are ISO text, kept verbatim. */
export interface RoleDefinitionsTable {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  description: string;
  /** JSON text: `{ actions, notActions, dataActions, notDataActions }`. */
  permissions: string;
  /** JSON text: array of scope strings. */
  assignable_scopes: string;
  created_at: string;
  updated_at: string;
  created_by: string;
}

export interface RoleAssignmentsTable {
  id: string;
  tenant_id: string;
  role_definition_id: string;
  principal_id: string;
  principal_type: string;
  scope: string;
  scope_key: string;
  description: string;
  created_at: string;
  created_by: string;
}

/** Migration 0010: the tenant's latest change-log version (taken under this row's lock). */
export interface ChangeHeadsTable {
  tenant_id: string;
  version: number;
}

/** Migration 0010: the change log (shared/change-log.ts); replaced rbac_versions / rbac_changes. */
export interface ChangeLogTable {
  tenant_id: string;
  version: number;
  kind: string;
  /** JSON text of the entry without its version and kind. */
  body: string;
  at: Millis;
}

/** Migration 0011: one-time join codes of machines (hashed). */
export interface JoinCodesTable {
  code_hash: string;
  tenant_id: string;
  machine_key: string;
  machine_id: string;
  expires_at: Millis;
  created_at: Millis;
  used_at: Millis | null;
}

/** Migration 0011: a host agent's credential, one per machine. */
export interface AgentCredentialsTable {
  client_id: string;
  tenant_id: string;
  machine_key: string;
  machine_id: string;
  identity_id: string;
  /** JSON of the public JWK. */
  public_key_jwk: string;
  thumbprint: string;
  /** JSON list of OpenSSH public key lines. */
  host_keys: string;
  created_at: Millis;
}

/** The tables of migration 0002 (sign-in, certificates, MFA) are declared in schema-sign-in.ts. */
/** Migration 0080: a tenant's SCIM bearer token (SHA-256 only). */
export interface ScimTokensTable {
  tenant_id: string;
  id: string;
  token_hash: string;
  hint: string;
  created_at: Millis;
}

/** Migration 0080: what a SCIM client wrote about a user or group that has no column elsewhere. */
export interface ScimObjectsTable {
  principal_id: string;
  tenant_id: string;
  resource_type: "User" | "Group";
  external_id: string | null;
  /** JSON object. */
  attributes: string;
  version: number;
  updated_at: Millis;
}

/** Migration 0081: a tenant's upstream OpenID Connect providers (settings JSON, secret sealed). */
export interface IdentityProvidersTable {
  id: string;
  tenant_id: string;
  name_key: string;
  settings: string;
  sealed_secret: string | null;
  /** Migration 0083: the private JWK of private_key_jwt, sealed. */
  sealed_signing_key: string | null;
  created_at: Millis;
  updated_at: Millis;
}

/** Migration 0081: a principal bound to an upstream (issuer, subject). */
export interface FederatedIdentitiesTable {
  tenant_id: string;
  issuer: string;
  subject: string;
  provider_id: string;
  principal_id: string;
  created_at: Millis;
}

/** Migration 0081: the hostpass group standing for one value of a provider's groups claim. */
export interface FederatedGroupsTable {
  provider_id: string;
  value: string;
  tenant_id: string;
  group_id: string;
}

/** Migration 0082: redirect URIs of a service principal that is a web sign-in client. */
export interface AppRedirectUrisTable {
  principal_id: string;
  tenant_id: string;
  /** JSON array. */
  uris: string;
}

export interface Database extends SignInTables {
  app_redirect_uris: AppRedirectUrisTable;
  identity_providers: IdentityProvidersTable;
  federated_identities: FederatedIdentitiesTable;
  federated_groups: FederatedGroupsTable;
  scim_tokens: ScimTokensTable;
  scim_objects: ScimObjectsTable;
  tenants: TenantsTable;
  principals: PrincipalsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  service_principals: ServicePrincipalsTable;
  client_secrets: ClientSecretsTable;
  certificate_credentials: CertificateCredentialsTable;
  managed_identities: ManagedIdentitiesTable;
  devices: DevicesTable;
  resources: ResourcesTable;
  virtual_machines: VirtualMachinesTable;
  network_interfaces: NetworkInterfacesTable;
  vm_extensions: VmExtensionsTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  role_definitions: RoleDefinitionsTable;
  role_assignments: RoleAssignmentsTable;
  change_heads: ChangeHeadsTable;
  change_log: ChangeLogTable;
  join_codes: JoinCodesTable;
  agent_credentials: AgentCredentialsTable;
}
