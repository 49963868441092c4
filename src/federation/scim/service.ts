/**
 * The SCIM service provider's use cases (RFC 7644 §3) over the directory. Users and groups are
 * the directory's own: a SCIM client sees every user and group of the tenant, and what it writes
 * is what `hostpass ad` shows. A SCIM user's userName is its UPN and fixes its Linux name (the
 * same rule as local users: refused, never shortened, when it does not fit or is taken), so
 * userName cannot change afterwards (`mutability`). Deactivation (`active: false`) is the
 * directory's disable: the caller's `setEnabled` ends sessions and revokes certificates with it.
 */
import {
  addGroupMember,
  createGroup,
  createUser,
  type DirectoryRepository,
  type Group,
  type Page,
  type PageRequest,
  type Principal,
  removeGroupMember,
  type User,
  upnKey,
} from "../../directory/index.ts";
import {
  ScimInvalidValueError,
  ScimMutabilityError,
  ScimResourceNotFoundError,
  ScimTooManyError,
} from "../errors.ts";
import type { FederationRepository, ScimObject, ScimResourceType } from "../repository.ts";
import {
  displayNameOf,
  type GroupInput,
  parseGroupBody,
  parseUserBody,
  type UserInput,
} from "./attributes.ts";
import { type Filter, matchesScimFilter, parseScimFilter, simpleEquality } from "./filter.ts";
import { applyScimPatch } from "./patch.ts";
import { GROUP_SCHEMA, HOSTPASS_USER_SCHEMA, LIST_RESPONSE, USER_SCHEMA } from "./schemas.ts";

/** What one SCIM request works with: the tenant, repositories (a change's transaction for writes). */
export interface ScimContext {
  readonly tenantId: string;
  readonly directory: DirectoryRepository;
  readonly federation: FederationRepository;
  readonly now: Date;
  /** `<public URL>/scim/v2`, for meta.location. */
  readonly baseUrl: string;
  /** Enables or disables a user the way the API does (disabling ends its sessions and certificates). */
  readonly setEnabled?: (id: string, enabled: boolean) => Promise<void>;
}

export type ScimResource = Record<string, unknown>;

/** Most resources one filter is evaluated over (beyond it: `tooMany`; `eq` on a key is a lookup). */
export const MAX_SCAN = 50_000;
export const DEFAULT_COUNT = 100;
export const MAX_COUNT = 1000;

export interface ListQuery {
  readonly filter?: string;
  /** 1-based (RFC 7644 §3.4.2.4); below 1 is taken as 1. */
  readonly startIndex?: number;
  /** 0 returns only totalResults; capped at MAX_COUNT. */
  readonly count?: number;
}

// ---------- reads ----------

export async function getScimUser(ctx: ScimContext, id: string): Promise<ScimResource> {
  const user = await principalOfType(ctx, id, "User");
  const [extra] = await ctx.federation.getScimObjects(ctx.tenantId, [user.id]);
  return userResource(ctx, user as User, extra);
}

export async function getScimGroup(ctx: ScimContext, id: string): Promise<ScimResource> {
  const group = await principalOfType(ctx, id, "Group");
  const [extra] = await ctx.federation.getScimObjects(ctx.tenantId, [group.id]);
  return groupResource(ctx, group as Group, extra, await allMembers(ctx, group.id));
}

export async function listScimUsers(ctx: ScimContext, query: ListQuery): Promise<ScimResource> {
  return list(ctx, "User", query);
}

export async function listScimGroups(ctx: ScimContext, query: ListQuery): Promise<ScimResource> {
  return list(ctx, "Group", query);
}

// ---------- users ----------

export async function createScimUser(ctx: ScimContext, body: unknown): Promise<ScimResource> {
  const input = parseUserBody(body);
  const user = await createUser(ctx.directory, {
    tenantId: ctx.tenantId,
    upn: input.userName,
    displayName: displayNameOf(input),
    enabled: input.active ?? true,
    ...(input.linuxName === undefined ? {} : { linuxName: input.linuxName }),
    now: () => ctx.now,
  });
  const extra = scimObject(ctx, user.id, "User", input.externalId, input.attributes, 1);
  await ctx.federation.putScimObject(extra);
  return userResource(ctx, user, extra);
}

export async function replaceScimUser(ctx: ScimContext, id: string, body: unknown): Promise<ScimResource> {
  const user = (await principalOfType(ctx, id, "User")) as User;
  return writeUser(ctx, user, parseUserBody(body));
}

export async function patchScimUser(ctx: ScimContext, id: string, body: unknown): Promise<ScimResource> {
  const before = await getScimUser(ctx, id);
  const after = applyScimPatch(before, body, ["id", "meta", "groups", "userName", `${HOSTPASS_USER_SCHEMA}`]);
  const user = (await principalOfType(ctx, id, "User")) as User;
  return writeUser(ctx, user, parseUserBody(after));
}

async function writeUser(ctx: ScimContext, user: User, input: UserInput): Promise<ScimResource> {
  if (upnKey(input.userName) !== upnKey(user.upn))
    throw new ScimMutabilityError(
      "userName cannot change in hostpass (it fixes the Linux name); delete the user and create it again",
    );
  if (input.linuxName !== undefined && input.linuxName !== user.linuxName)
    throw new ScimMutabilityError("linuxName cannot change");
  const displayName = displayNameOf(input);
  if (displayName !== user.displayName)
    await ctx.directory.setDisplayName(ctx.tenantId, user.id, displayName);
  if (input.active !== undefined && input.active !== user.enabled) {
    if (!ctx.setEnabled) throw new TypeError("a SCIM write needs setEnabled");
    await ctx.setEnabled(user.id, input.active);
  }
  const [old] = await ctx.federation.getScimObjects(ctx.tenantId, [user.id]);
  const extra = scimObject(ctx, user.id, "User", input.externalId, input.attributes, (old?.version ?? 0) + 1);
  await ctx.federation.putScimObject(extra);
  return getScimUser(ctx, user.id);
}

export async function deleteScimUser(ctx: ScimContext, id: string): Promise<User> {
  const user = (await principalOfType(ctx, id, "User")) as User;
  await ctx.directory.deletePrincipal(ctx.tenantId, user.id);
  return user;
}

// ---------- groups ----------

export async function createScimGroup(ctx: ScimContext, body: unknown): Promise<ScimResource> {
  const input = parseGroupBody(body);
  const group = await createGroup(ctx.directory, {
    tenantId: ctx.tenantId,
    displayName: input.displayName,
    now: () => ctx.now,
  });
  await setMembers(ctx, group.id, input.members ?? []);
  const extra = scimObject(ctx, group.id, "Group", input.externalId, {}, 1);
  await ctx.federation.putScimObject(extra);
  return getScimGroup(ctx, group.id);
}

export async function replaceScimGroup(ctx: ScimContext, id: string, body: unknown): Promise<ScimResource> {
  const group = (await principalOfType(ctx, id, "Group")) as Group;
  return writeGroup(ctx, group, parseGroupBody(body));
}

export async function patchScimGroup(ctx: ScimContext, id: string, body: unknown): Promise<ScimResource> {
  const before = await getScimGroup(ctx, id);
  const after = applyScimPatch(before, body, ["id", "meta"]);
  const group = (await principalOfType(ctx, id, "Group")) as Group;
  const input = parseGroupBody(after);
  return writeGroup(ctx, group, { ...input, members: input.members ?? [] });
}

async function writeGroup(ctx: ScimContext, group: Group, input: GroupInput): Promise<ScimResource> {
  if (input.displayName !== group.displayName)
    await ctx.directory.setDisplayName(ctx.tenantId, group.id, input.displayName);
  if (input.members !== undefined) await setMembers(ctx, group.id, input.members);
  const [old] = await ctx.federation.getScimObjects(ctx.tenantId, [group.id]);
  await ctx.federation.putScimObject(
    scimObject(ctx, group.id, "Group", input.externalId, {}, (old?.version ?? 0) + 1),
  );
  return getScimGroup(ctx, group.id);
}

export async function deleteScimGroup(ctx: ScimContext, id: string): Promise<Group> {
  const group = (await principalOfType(ctx, id, "Group")) as Group;
  await ctx.directory.deletePrincipal(ctx.tenantId, group.id);
  return group;
}

/** Makes the group's direct members exactly `ids` (users or groups of the tenant; cycles refused). */
async function setMembers(ctx: ScimContext, groupId: string, ids: readonly string[]): Promise<void> {
  const wanted = new Set(ids);
  const found = await ctx.directory.getPrincipals(ctx.tenantId, [...wanted]);
  const usable = new Set(found.filter((p) => p.kind === "user" || p.kind === "group").map((p) => p.id));
  const missing = [...wanted].find((m) => !usable.has(m));
  if (missing !== undefined)
    throw new ScimInvalidValueError(`member '${missing.slice(0, 64)}' is not a user or group of this tenant`);
  const current = new Set((await allMembers(ctx, groupId)).map((p) => p.id));
  for (const m of current)
    if (!wanted.has(m))
      await removeGroupMember(ctx.directory, { tenantId: ctx.tenantId, groupId, memberId: m });
  for (const m of wanted)
    if (!current.has(m))
      await addGroupMember(ctx.directory, {
        tenantId: ctx.tenantId,
        groupId,
        memberId: m,
        now: () => ctx.now,
      });
}

// ---------- representation ----------

function scimObject(
  ctx: ScimContext,
  principalId: string,
  resourceType: ScimResourceType,
  externalId: string | undefined,
  attributes: Readonly<Record<string, unknown>>,
  version: number,
): ScimObject {
  return {
    principalId,
    tenantId: ctx.tenantId,
    resourceType,
    externalId,
    attributes,
    version,
    updatedAt: ctx.now,
  };
}

function meta(ctx: ScimContext, type: ScimResourceType, p: Principal, extra: ScimObject | undefined) {
  return {
    resourceType: type,
    created: p.createdAt.toISOString(),
    lastModified: (extra?.updatedAt ?? p.createdAt).toISOString(),
    location: `${ctx.baseUrl}/${type}s/${p.id}`,
    version: `W/"${extra?.version ?? 0}"`,
  };
}

function userResource(ctx: ScimContext, user: User, extra: ScimObject | undefined): ScimResource {
  const ext = extra?.attributes ?? {};
  return {
    schemas: [USER_SCHEMA, HOSTPASS_USER_SCHEMA, ...Object.keys(ext).filter((k) => k.startsWith("urn:"))],
    id: user.id,
    ...(extra?.externalId === undefined ? {} : { externalId: extra.externalId }),
    userName: user.upn,
    displayName: user.displayName,
    active: user.enabled,
    ...ext,
    [HOSTPASS_USER_SCHEMA]: { linuxName: user.linuxName, uid: user.uid },
    meta: meta(ctx, "User", user, extra),
  };
}

function groupResource(
  ctx: ScimContext,
  group: Group,
  extra: ScimObject | undefined,
  members: readonly Principal[],
): ScimResource {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(extra?.externalId === undefined ? {} : { externalId: extra.externalId }),
    displayName: group.displayName,
    members: memberValues(ctx, members),
    meta: meta(ctx, "Group", group, extra),
  };
}

function memberValues(ctx: ScimContext, members: readonly Principal[]) {
  return members.map((m) => {
    const type = m.kind === "group" ? "Group" : "User";
    return { value: m.id, $ref: `${ctx.baseUrl}/${type}s/${m.id}`, display: m.displayName, type };
  });
}

// ---------- lookups and lists ----------

async function principalOfType(ctx: ScimContext, id: string, type: ScimResourceType): Promise<Principal> {
  const kind = type === "User" ? "user" : "group";
  const found = /^[0-9a-f-]{36}$/i.test(id)
    ? await ctx.directory.getPrincipal(ctx.tenantId, id.toLowerCase())
    : undefined;
  if (found?.kind !== kind) throw new ScimResourceNotFoundError(`${type} ${id.slice(0, 64)} not found`);
  return found;
}

/** Every item of a paged directory listing; `limit` bounds how many may be read. */
async function allPages(
  fetch: (page: PageRequest) => Promise<Page<Principal>>,
  limit: number,
  tooMany: () => Error,
): Promise<Principal[]> {
  const out: Principal[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit: 1000, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (out.length > limit) throw tooMany();
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

async function allMembers(ctx: ScimContext, groupId: string): Promise<Principal[]> {
  const members = await allPages(
    (page) => ctx.directory.listGroupMembers(ctx.tenantId, groupId, page),
    MAX_SCAN,
    () => new ScimTooManyError(`the group has more than ${MAX_SCAN} members`),
  );
  return members.filter((p) => p.kind === "user" || p.kind === "group");
}

async function candidates(
  ctx: ScimContext,
  type: ScimResourceType,
  filter: Filter | undefined,
): Promise<Principal[]> {
  const kind = type === "User" ? "user" : "group";
  const eq = filter && simpleEquality(filter);
  if (eq?.attribute === "id") {
    const found = await ctx.directory.getPrincipal(ctx.tenantId, eq.value.toLowerCase());
    return found?.kind === kind && found.id === eq.value ? [found] : [];
  }
  if (eq?.attribute === "externalid") {
    const ids = await ctx.federation.findByExternalId(ctx.tenantId, type, eq.value);
    return (await ctx.directory.getPrincipals(ctx.tenantId, ids)).filter((p) => p.kind === kind);
  }
  if (eq?.attribute === "username" && type === "User") {
    let key: string;
    try {
      key = upnKey(eq.value);
    } catch {
      return [];
    }
    const found = await ctx.directory.findUserByUpn(ctx.tenantId, key);
    return found ? [found] : [];
  }
  return allPages(
    (page) => ctx.directory.listPrincipals(ctx.tenantId, kind, page),
    MAX_SCAN,
    () =>
      new ScimTooManyError(
        `the filter would be evaluated over more than ${MAX_SCAN} ${type}s; filter by id, externalId or userName`,
      ),
  );
}

async function list(ctx: ScimContext, type: ScimResourceType, query: ListQuery): Promise<ScimResource> {
  const filter = query.filter === undefined ? undefined : parseScimFilter(query.filter, type);
  const principals = await candidates(ctx, type, filter);
  const extras = new Map(
    (
      await ctx.federation.getScimObjects(
        ctx.tenantId,
        principals.map((p) => p.id),
      )
    ).map((o) => [o.principalId, o]),
  );
  const resources: ScimResource[] = [];
  for (const p of principals) {
    const extra = extras.get(p.id);
    // Members are loaded only when the filter needs them; the page's are loaded below.
    const r =
      type === "User"
        ? userResource(ctx, p as User, extra)
        : groupResource(
            ctx,
            p as Group,
            extra,
            filterNeedsMembers(query.filter) ? await allMembers(ctx, p.id) : [],
          );
    if (filter === undefined || matchesScimFilter(filter, r)) resources.push(r);
  }
  const start = Math.max(1, query.startIndex ?? 1);
  const count = Math.min(MAX_COUNT, Math.max(0, query.count ?? DEFAULT_COUNT));
  const page = resources.slice(start - 1, start - 1 + count);
  if (type === "Group" && !filterNeedsMembers(query.filter))
    for (const r of page) {
      r.members = memberValues(ctx, await allMembers(ctx, r.id as string));
    }
  return {
    schemas: [LIST_RESPONSE],
    totalResults: resources.length,
    startIndex: start,
    itemsPerPage: page.length,
    Resources: page,
  };
}

function filterNeedsMembers(filter: string | undefined): boolean {
  return filter !== undefined && /members/i.test(filter);
}
