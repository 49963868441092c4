/** Where each kind of object lives in the portal (resource ids and scopes are carried in the path). */

export interface Links {
  resource(id: string): string;
  iam(scope: string): string;
  user(id: string): string;
  group(id: string): string;
  servicePrincipal(id: string): string;
}

export function linksFor(base: string): Links {
  return {
    resource: (id) => `${base}/resource${encodePath(id)}`,
    iam: (scope) => `${base}/iam${scope === "/" ? "/" : encodePath(scope)}`,
    user: (id) => `${base}/directory/users/${encodeURIComponent(id)}`,
    group: (id) => `${base}/directory/groups/${encodeURIComponent(id)}`,
    servicePrincipal: (id) => `${base}/directory/service-principals/${encodeURIComponent(id)}`,
  };
}

/** Each segment of a resource id encoded on its own, so a name can never add a path segment. */
function encodePath(id: string): string {
  return id
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/** The resource id or scope a wildcard route received (`/subscriptions/...`), decoded once. */
export function idFromPath(rest: string): string {
  return `/${rest.replace(/^\/+/, "").replace(/\/+$/, "")}`;
}
