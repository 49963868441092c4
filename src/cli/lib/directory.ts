/** Finding directory objects the way az names them: an object id, a UPN, an app id or a display name. */
import { CliUsageError, NoMatchError } from "../errors.ts";
import type { ApiClient } from "../session/api.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UserDto {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly accountEnabled: boolean;
}

export interface GroupDto {
  readonly id: string;
  readonly displayName: string;
}

export interface ServicePrincipalDto {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
}

/** `--id` of `ad user ...`: an object id or a UPN (the service accepts both). */
export async function findUser(api: ApiClient, idOrUpn: string): Promise<UserDto> {
  return (await api.get(`/directory/users/${encodeURIComponent(idOrUpn)}`)) as UserDto;
}

/** `--group` of `ad group ...`: an object id, or a display name that only one group has. */
export async function findGroup(api: ApiClient, idOrName: string): Promise<GroupDto> {
  if (UUID.test(idOrName)) return (await api.get(`/directory/groups/${idOrName}`)) as GroupDto;
  const wanted = idOrName.toLowerCase();
  const matches = (await api.list<GroupDto>("/directory/groups")).filter(
    (g) => g.displayName.toLowerCase() === wanted,
  );
  if (matches.length === 0) throw new NoMatchError(`There is no group named ${JSON.stringify(idOrName)}.`);
  if (matches.length > 1)
    throw new CliUsageError(
      `${matches.length} groups are named ${JSON.stringify(idOrName)}; give the object id`,
    );
  return matches[0] as GroupDto;
}

/** `--id` of `ad sp ...`: its object id or its app id. */
export async function findServicePrincipal(api: ApiClient, id: string): Promise<ServicePrincipalDto> {
  if (!UUID.test(id)) throw new CliUsageError(`--id: ${JSON.stringify(id)} is not an object id or app id`);
  const byAppId = (await api.list<ServicePrincipalDto>("/directory/servicePrincipals")).find(
    (sp) => sp.appId.toLowerCase() === id.toLowerCase() || sp.id.toLowerCase() === id.toLowerCase(),
  );
  if (!byAppId) throw new NoMatchError(`There is no service principal with id or app id ${id}.`);
  return byAppId;
}

/** A member of a group: a user by UPN or object id, or any object by object id. */
export async function memberId(api: ApiClient, idOrUpn: string): Promise<string> {
  return UUID.test(idOrUpn) ? idOrUpn.toLowerCase() : (await findUser(api, idOrUpn)).id;
}
