/** The storage federation needs; `store/` implements it on SQLite and PostgreSQL (migration 0080). */

export interface ScimTokenRecord {
  readonly id: string;
  readonly tenantId: string;
  /** The first characters of the token, to tell tokens apart. */
  readonly hint: string;
  readonly createdAt: Date;
}

export type ScimResourceType = "User" | "Group";

/** What a SCIM client wrote about a user or group that the directory has no field for. */
export interface ScimObject {
  readonly principalId: string;
  readonly tenantId: string;
  readonly resourceType: ScimResourceType;
  readonly externalId: string | undefined;
  /** The stored optional attributes (RFC 7643 §4.1 and the enterprise extension), checked. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Moves by one with every SCIM write (meta.version). */
  readonly version: number;
  readonly updatedAt: Date;
}

export interface FederationRepository {
  /** Stores the tenant's token, replacing the one it had (that one stops working at once). */
  putScimToken(record: ScimTokenRecord, hash: string): Promise<void>;
  getScimToken(tenantId: string): Promise<ScimTokenRecord | undefined>;
  findScimTokenByHash(hash: string): Promise<ScimTokenRecord | undefined>;
  deleteScimToken(tenantId: string): Promise<boolean>;

  getScimObjects(tenantId: string, principalIds: readonly string[]): Promise<readonly ScimObject[]>;
  /** Inserts or replaces (the row goes with its principal: deleting the principal deletes it). */
  putScimObject(object: ScimObject): Promise<void>;
  /** Principal ids whose SCIM externalId is exactly `externalId` (case-exact, RFC 7643 §3.1). */
  /** Redirect URIs of a service principal as a web sign-in client (empty: none). */
  getRedirectUris(tenantId: string, principalId: string): Promise<readonly string[]>;
  /** Replaces them (an empty list removes them). */
  setRedirectUris(tenantId: string, principalId: string, uris: readonly string[]): Promise<void>;
  findByExternalId(
    tenantId: string,
    resourceType: ScimResourceType,
    externalId: string,
  ): Promise<readonly string[]>;
}
