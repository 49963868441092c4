/**
 * Names for object ids on pages that list them (role assignments, group members): looked up
 * through the directory API when the user may read the directory; otherwise the page shows ids.
 */
import type { AdminPage } from "./admin-route.ts";
import { ApiError } from "./api-client.ts";

const PATHS: Readonly<Record<string, string>> = {
  User: "/directory/users/",
  Group: "/directory/groups/",
  ServicePrincipal: "/directory/servicePrincipals/",
};

/** At most this many lookups per page; beyond it, ids. */
const MAX_LOOKUPS = 200;

export async function principalNames(
  page: AdminPage,
  principals: readonly (readonly [id: string, type: string])[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (!page.nav.directory) return names;
  const unique = [...new Map(principals.map(([id, type]) => [id, type])).entries()].slice(0, MAX_LOOKUPS);
  await Promise.all(
    unique.map(async ([id, type]) => {
      const path = PATHS[type];
      if (path === undefined) return;
      try {
        const found = await page.api.get<{ displayName: string; userPrincipalName?: string }>(`${path}${id}`);
        names.set(
          id,
          found.userPrincipalName ? `${found.displayName} (${found.userPrincipalName})` : found.displayName,
        );
      } catch (error) {
        if (!(error instanceof ApiError)) throw error; // deleted since, or not readable: the id stays
      }
    }),
  );
  return names;
}
