import {
  type DirectoryRepository,
  findUserByUpn,
  getUser,
  PrincipalNotFoundError,
  type User,
} from "../../../../directory/index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** az accepts either form wherever a user is named; so do we. */
export async function userByIdOrUpn(
  directory: DirectoryRepository,
  tenantId: string,
  idOrUpn: string,
): Promise<User> {
  if (UUID.test(idOrUpn)) return getUser(directory, tenantId, idOrUpn.toLowerCase());
  const user = await findUserByUpn(directory, tenantId, idOrUpn);
  if (user === undefined) throw new PrincipalNotFoundError("user not found");
  return user;
}
