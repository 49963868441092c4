import { Type } from "@fastify/type-provider-typebox";
import type { Group, Principal, ServicePrincipal, User } from "../../../directory/index.ts";

/** An object id in a path: a UUID, so nothing else (traversal, encoded separators) can reach a lookup. */
export const ObjectId = Type.String({
  pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  description: "object id",
});

export const UserDto = Type.Object(
  {
    id: Type.String(),
    userPrincipalName: Type.String(),
    displayName: Type.String(),
    accountEnabled: Type.Boolean(),
    linuxName: Type.String(),
    uid: Type.Integer(),
    createdDateTime: Type.String(),
    /** Tokens issued before this time are void (sessions revoked or the account disabled). */
    signInSessionsValidFromDateTime: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const GroupDto = Type.Object(
  {
    id: Type.String(),
    displayName: Type.String(),
    description: Type.String(),
    createdDateTime: Type.String(),
  },
  { additionalProperties: false },
);

export const ServicePrincipalDto = Type.Object(
  {
    id: Type.String(),
    appId: Type.String(),
    displayName: Type.String(),
    accountEnabled: Type.Boolean(),
    linuxName: Type.String(),
    uid: Type.Integer(),
    createdDateTime: Type.String(),
    signInSessionsValidFromDateTime: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** Any directory object, as group member lists show them (`@odata.type`-like `kind`). */
export const DirectoryObjectDto = Type.Object(
  { id: Type.String(), kind: Type.String(), displayName: Type.String(), accountEnabled: Type.Boolean() },
  { additionalProperties: false },
);

export function toUserDto(u: User) {
  return {
    id: u.id,
    userPrincipalName: u.upn,
    displayName: u.displayName,
    accountEnabled: u.enabled,
    linuxName: u.linuxName,
    uid: u.uid,
    createdDateTime: u.createdAt.toISOString(),
    ...sessionsDto(u),
  };
}

function sessionsDto(p: Principal) {
  return p.sessionsValidFrom ? { signInSessionsValidFromDateTime: p.sessionsValidFrom.toISOString() } : {};
}

export function toGroupDto(g: Group) {
  return {
    id: g.id,
    displayName: g.displayName,
    description: g.description,
    createdDateTime: g.createdAt.toISOString(),
  };
}

export function toServicePrincipalDto(sp: ServicePrincipal) {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    accountEnabled: sp.enabled,
    linuxName: sp.linuxName,
    uid: sp.uid,
    createdDateTime: sp.createdAt.toISOString(),
    ...sessionsDto(sp),
  };
}

export function toDirectoryObjectDto(p: Principal) {
  return { id: p.id, kind: p.kind, displayName: p.displayName, accountEnabled: p.enabled };
}

/** Directory objects are tenant-wide: their permissions are checked at the root scope. */
export const DIRECTORY_SCOPE = () => "/";
