/** SCIM discovery (RFC 7644 §4): what this service provider supports. Public: it names no data. */
import {
  GROUP_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SERVICE_PROVIDER_CONFIG,
  USER_SCHEMA,
} from "../../../federation/index.ts";
import type { App } from "../../app.ts";
import type { ScimDeps } from "./index.ts";

export function registerScimDiscovery(app: App, deps: ScimDeps): void {
  app.get("/ServiceProviderConfig", { config: { public: true } }, async () => SERVICE_PROVIDER_CONFIG);
  app.get("/ResourceTypes", { config: { public: true } }, async () => {
    const types = [
      { id: "User", name: "User", endpoint: "/Users", schema: USER_SCHEMA },
      { id: "Group", name: "Group", endpoint: "/Groups", schema: GROUP_SCHEMA },
    ].map((t) => ({
      schemas: [RESOURCE_TYPE_SCHEMA],
      ...t,
      meta: { resourceType: "ResourceType", location: `${deps.baseUrl()}/ResourceTypes/${t.id}` },
    }));
    return {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: types.length,
      startIndex: 1,
      itemsPerPage: types.length,
      Resources: types,
    };
  });
}
