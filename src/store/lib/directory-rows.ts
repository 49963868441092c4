/** Row <-> object mapping for the directory tables. */
import type { Kysely } from "kysely";
import type {
  CertificateCredential,
  ClientSecret,
  Device,
  DevicePlatform,
  Principal,
} from "../../directory/index.ts";
import { readBoolean } from "../dialect-profile.ts";
import type { Database } from "../schema.ts";
import { toDate } from "./context.ts";

/** principals joined with the per-kind tables; one row per principal. */
export function principalQuery(db: Kysely<Database>) {
  return db
    .selectFrom("principals as p")
    .leftJoin("users as u", "u.principal_id", "p.id")
    .leftJoin("groups as g", "g.principal_id", "p.id")
    .leftJoin("service_principals as s", "s.principal_id", "p.id")
    .leftJoin("managed_identities as m", "m.principal_id", "p.id")
    .select([
      "p.id",
      "p.tenant_id",
      "p.kind",
      "p.display_name",
      "p.enabled",
      "p.linux_name",
      "p.uid",
      "p.created_at",
      "p.sessions_valid_from",
      "u.upn",
      "g.description",
      "s.app_id",
      "m.resource_id",
    ]);
}

export interface PrincipalRow {
  id: string;
  tenant_id: string;
  kind: string;
  display_name: string;
  enabled: boolean | number;
  linux_name: string | null;
  uid: number | null;
  created_at: number;
  sessions_valid_from: number;
  upn: string | null;
  description: string | null;
  app_id: string | null;
  resource_id: string | null;
}

export function toPrincipal(r: PrincipalRow): Principal {
  const base = {
    id: r.id,
    tenantId: r.tenant_id,
    displayName: r.display_name,
    enabled: readBoolean(r.enabled),
    createdAt: toDate(r.created_at),
    ...(Number(r.sessions_valid_from) > 0 ? { sessionsValidFrom: toDate(r.sessions_valid_from) } : {}),
  };
  const posix = { linuxName: r.linux_name ?? "", uid: Number(r.uid) };
  switch (r.kind) {
    case "user":
      return { kind: "user", ...base, ...posix, upn: r.upn ?? "" };
    case "group":
      return { kind: "group", ...base, description: r.description ?? "" };
    case "servicePrincipal":
      return { kind: "servicePrincipal", ...base, ...posix, appId: r.app_id ?? "" };
    case "managedIdentity":
      return { kind: "managedIdentity", ...base, resourceId: r.resource_id ?? "" };
    default:
      throw new TypeError(`unknown principal kind ${r.kind}`);
  }
}

export function toClientSecret(r: Database["client_secrets"]): ClientSecret {
  return {
    id: r.id,
    principalId: r.principal_id,
    tenantId: r.tenant_id,
    hint: r.hint,
    expiresAt: toDate(r.expires_at),
    createdAt: toDate(r.created_at),
  };
}

export function toCertificateCredential(r: Database["certificate_credentials"]): CertificateCredential {
  return {
    id: r.id,
    principalId: r.principal_id,
    tenantId: r.tenant_id,
    thumbprint: r.thumbprint,
    publicKeyJwk: JSON.parse(r.public_key_jwk) as Record<string, string>,
    expiresAt: r.expires_at === null ? undefined : toDate(r.expires_at),
    createdAt: toDate(r.created_at),
  };
}

export function toDevice(
  r: Omit<Database["devices"], "compliant"> & { compliant: boolean | number },
): Device {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    ownerId: r.owner_id ?? undefined,
    displayName: r.display_name,
    platform: r.platform as DevicePlatform,
    keyThumbprint: r.key_thumbprint,
    keyJwk: r.key_jwk === null ? undefined : (JSON.parse(r.key_jwk) as Record<string, string>),
    compliant: readBoolean(r.compliant),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}
