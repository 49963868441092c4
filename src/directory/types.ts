/** Directory objects as the rest of hostpass sees them. Plain, readonly data. */

export const PRINCIPAL_KINDS = ["user", "group", "servicePrincipal", "managedIdentity"] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

export interface Tenant {
  readonly id: string;
  /** A short unique name (`contoso`), compared case-insensitively. */
  readonly name: string;
  readonly displayName: string;
  readonly createdAt: Date;
}

interface PrincipalBase {
  /** The immutable object id (UUID). */
  readonly id: string;
  readonly tenantId: string;
  readonly displayName: string;
  readonly enabled: boolean;
  readonly createdAt: Date;
  /**
   * Every token issued to the principal before this time is void (sessions.ts): set when it is
   * disabled or its sessions are revoked, never moved back. Absent: never revoked.
   */
  readonly sessionsValidFrom?: Date;
}

/** Principals that can own a POSIX account on hosts. */
interface PosixAccount {
  /** The account name on hosts (linux-name.ts). */
  readonly linuxName: string;
  /** Allocated by the service from the tenant's counter; never reused. */
  readonly uid: number;
}

export interface User extends PrincipalBase, PosixAccount {
  readonly kind: "user";
  /** NFC, case as entered. */
  readonly upn: string;
}

export interface Group extends PrincipalBase {
  readonly kind: "group";
  readonly description: string;
}

export interface ServicePrincipal extends PrincipalBase, PosixAccount {
  readonly kind: "servicePrincipal";
  /** The application (client) id, a UUID. */
  readonly appId: string;
}

export interface ManagedIdentity extends PrincipalBase {
  readonly kind: "managedIdentity";
  /** The canonical id of the VM or scale set that owns it. */
  readonly resourceId: string;
}

export type Principal = User | Group | ServicePrincipal | ManagedIdentity;

export interface ClientSecret {
  readonly id: string;
  readonly principalId: string;
  readonly tenantId: string;
  /** The first characters of the secret, to tell secrets apart in listings. */
  readonly hint: string;
  readonly expiresAt: Date;
  readonly createdAt: Date;
}

export interface CertificateCredential {
  readonly id: string;
  readonly principalId: string;
  readonly tenantId: string;
  /** RFC 7638 JWK SHA-256 thumbprint, base64url. */
  readonly thumbprint: string;
  readonly publicKeyJwk: Readonly<Record<string, string>>;
  readonly expiresAt: Date | undefined;
  readonly createdAt: Date;
}

export const DEVICE_PLATFORMS = ["linux", "macos", "windows", "ios", "android", "other"] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

export interface Device {
  readonly id: string;
  readonly tenantId: string;
  readonly ownerId: string | undefined;
  readonly displayName: string;
  readonly platform: DevicePlatform;
  /** RFC 7638 thumbprint of the device key. */
  readonly keyThumbprint: string;
  readonly keyJwk: Readonly<Record<string, string>> | undefined;
  readonly compliant: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface PageRequest {
  /** 1..1000. */
  readonly limit: number;
  /** Opaque, from a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}
