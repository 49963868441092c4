/**
 * Row types of the tables migration 0002 adds (sign-in, certificates, MFA). Kept apart from
 * schema.ts so each part stays readable; `Database` extends this. Same conventions: text ids,
 * epoch-millisecond `bigint` times, JSON as text.
 */
import type { ColumnType } from "kysely";

type Millis = number;

export interface OidcEntriesTable {
  model: string;
  id: string;
  /** JSON text of the oidc-provider payload, without `consumed` (that is `consumed_at`). */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  consumed_at: Millis | null;
  expires_at: Millis;
}

export interface ThrottleEntriesTable {
  key: string;
  value: string;
  expires_at: Millis;
}

/** Migration 0100: the portal's server-side state, shared by replicas. */
export interface PortalStateTable {
  key: string;
  kind: string;
  value: string;
  expires_at: Millis;
}

/** Migration 0100: installation-wide secrets (cookie keys), sealed with the KEK. */
export interface ServerSecretsTable {
  name: string;
  sealed: string;
  created_at: Millis;
}

export interface SigningKeysTable {
  kid: string;
  status: string;
  /** The private JWK as JSON, sealed (src/shared/seal.ts) with additional data naming the kid. */
  sealed_jwk: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface CaKeysTable {
  id: string;
  purpose: string;
  state: string;
  public_key: string;
  sealed_private_key: string;
  created_at: Millis;
  state_changed_at: Millis;
}

/**
 * Serials are signed 64-bit and may exceed 2^53: never select the column itself (the pg pool
 * refuses unsafe int8 values); read `cast(serial as text)`. Hence `never` as its select type.
 */
type Serial = ColumnType<never, bigint, never>;

export interface SshCertificatesTable {
  serial: Serial;
  tenant_id: string;
  object_id: string;
  principal: string;
  key_id: string;
  key_fingerprint: string;
  ca_key_id: string;
  valid_after: Millis;
  valid_before: Millis;
  token_id: string;
  /** JSON text: array of policy ids. */
  policies: string;
  issued_at: Millis;
  revoked_at: Millis | null;
  revocation_reason: string | null;
}

export interface SshRevokedKeyIdsTable {
  key_id: string;
  tenant_id: string;
  revoked_at: Millis;
  reason: string;
}

export interface MfaTotpTable {
  principal_id: string;
  tenant_id: string;
  sealed_secret: string;
  last_used_step: number | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface MfaPasskeysTable {
  credential_id: string;
  tenant_id: string;
  principal_id: string;
  /** base64url of the COSE public key. */
  public_key: string;
  counter: number;
  /** JSON text: array of transport names. */
  transports: string;
  created_at: Millis;
  last_used_at: Millis | null;
}

export interface SignInEventsTable {
  id: string;
  time: Millis;
  tenant_id: string;
  principal_id: string | null;
  principal_name: string | null;
  principal_kind: string | null;
  app_id: string | null;
  resource: string | null;
  ip: string;
  user_agent: string;
  device_id: string | null;
  result: string;
  failure_reason: string | null;
  mfa_method: string | null;
  /** JSON text: the conditional access policies evaluated, with their results. */
  policies: string;
  correlation_id: string;
}

/** Migration 0003: a tenant's conditional access policies and named locations (JSON documents). */
export interface ConditionalAccessDocumentTable {
  tenant_id: string;
  id: string;
  document: string;
  updated_at: Millis;
}

export interface SignInTables {
  conditional_access_policies: ConditionalAccessDocumentTable;
  named_locations: ConditionalAccessDocumentTable;
  oidc_entries: OidcEntriesTable;
  throttle_entries: ThrottleEntriesTable;
  portal_state: PortalStateTable;
  server_secrets: ServerSecretsTable;
  signing_keys: SigningKeysTable;
  ca_keys: CaKeysTable;
  ssh_certificates: SshCertificatesTable;
  ssh_revoked_key_ids: SshRevokedKeyIdsTable;
  mfa_totp: MfaTotpTable;
  mfa_passkeys: MfaPasskeysTable;
  sign_in_events: SignInEventsTable;
}
