/** SCIM 2.0 names (RFC 7643 / RFC 7644) and the attributes hostpass keeps. */

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/** hostpass's own extension: the Linux name (settable at creation only) and the uid (read-only). */
export const HOSTPASS_USER_SCHEMA = "urn:hostpass:params:scim:schemas:extension:2.0:User";
export const LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
export const SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
export const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

/** Single-valued string attributes of a User that hostpass stores as given (RFC 7643 §4.1.1). */
export const USER_STRING_ATTRIBUTES = [
  "nickName",
  "profileUrl",
  "title",
  "userType",
  "preferredLanguage",
  "locale",
  "timezone",
] as const;

/** Multi-valued complex attributes of a User stored as given (RFC 7643 §4.1.2), flat members only. */
export const USER_MULTI_ATTRIBUTES = [
  "emails",
  "phoneNumbers",
  "ims",
  "photos",
  "addresses",
  "entitlements",
  "roles",
  "x509Certificates",
] as const;

/** Top-level attributes a filter may name, per resource type (lower case). */
export const FILTERABLE: Readonly<Record<"User" | "Group", ReadonlySet<string>>> = {
  User: new Set([
    "id",
    "externalid",
    "username",
    "displayname",
    "active",
    "name",
    ...USER_STRING_ATTRIBUTES.map((a) => a.toLowerCase()),
    ...USER_MULTI_ATTRIBUTES.map((a) => a.toLowerCase()),
    "meta",
  ]),
  Group: new Set(["id", "externalid", "displayname", "members", "meta"]),
};

/** Attributes compared case-exactly (RFC 7643: ids, externalId and meta are caseExact). */
export const CASE_EXACT = new Set(["id", "externalid", "meta", "value"]);

export const SERVICE_PROVIDER_CONFIG = Object.freeze({
  schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
  documentationUri: "https://github.com/hostpass/hostpass/blob/main/docs/federation.md",
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 1000 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: "oauthbearertoken",
      name: "Bearer token",
      description: "The tenant's SCIM token (hostpass scim token create), sent as Authorization: Bearer",
      primary: true,
    },
  ],
});
