/**
 * Registering an upstream OpenID Connect provider: the settings are checked here (the HTTP edge
 * checks only their JSON shape). The client secret is kept sealed by the store and never shown.
 */
import { randomUUID } from "node:crypto";
import {
  IdentityProviderConflictError,
  IdentityProviderInvalidError,
  IdentityProviderNotFoundError,
} from "../errors.ts";
import type { IdentityProviderRepository } from "./repository.ts";
import { newSigningKey } from "./signing-key.ts";
import {
  CLIENT_AUTH_METHODS,
  type ClaimMapping,
  type ClientAuthMethod,
  type IdentityProvider,
} from "./types.ts";

export interface IdentityProviderInput {
  readonly name?: string;
  readonly displayName?: string;
  readonly issuer?: string;
  readonly clientId?: string;
  /** `null` on update removes it. */
  readonly clientSecret?: string | null;
  readonly clientAuthMethod?: string;
  readonly scopes?: readonly string[];
  readonly claims?: ClaimMappingInput;
  readonly allowedDomains?: readonly string[];
  readonly jitProvisioning?: boolean;
  readonly trustMfa?: boolean;
  readonly mfaAcrValues?: readonly string[];
  readonly enabled?: boolean;
  /** `null` on update removes it. */
  readonly caCertificate?: string | null;
  /** On update, with private_key_jwt: a new signing key replaces the old one (register it again). */
  readonly rotateSigningKey?: boolean;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CLAIM = /^[A-Za-z_][A-Za-z0-9_:./-]{0,127}$/;
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const PRINTABLE = /^[^\p{Cc}\p{Cf}]{1,256}$/u;

function invalid(message: string): never {
  throw new IdentityProviderInvalidError(message);
}

function checkIssuer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return invalid("issuer must be a URL");
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
    invalid("issuer must be an https URL (http only on loopback, for tests)");
  if (url.search || url.hash || url.username || url.password)
    invalid("issuer must have no query, fragment or user");
  return value;
}

function checkList(values: readonly string[] | undefined, what: string, rule: RegExp, max = 32): string[] {
  if (values === undefined) return [];
  if (values.length > max) invalid(`at most ${max} ${what}`);
  for (const v of values)
    if (!rule.test(v)) invalid(`'${v.slice(0, 64)}' is not a valid ${what.replace(/s$/, "")}`);
  return [...new Set(values)];
}

/** A mapping given on an update; `null` removes an optional claim (linuxName, groups, externalId). */
export type ClaimMappingInput = {
  readonly [K in keyof ClaimMapping]?: ClaimMapping[K] | (undefined extends ClaimMapping[K] ? null : never);
};

function checkClaims(input: ClaimMappingInput | undefined, base?: ClaimMapping): ClaimMapping {
  const merged = { username: "preferred_username", displayName: "name", ...base, ...input };
  for (const [k, v] of Object.entries(merged))
    if (v !== undefined && v !== null && !CLAIM.test(v)) invalid(`claims.${k} is not a claim name`);
  return {
    username: merged.username,
    displayName: merged.displayName,
    ...(merged.linuxName ? { linuxName: merged.linuxName } : {}),
    ...(merged.groups ? { groups: merged.groups } : {}),
    ...(merged.externalId ? { externalId: merged.externalId } : {}),
  };
}

function checkCa(pem: string): string {
  if (
    pem.length > 16_384 ||
    !/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/.test(pem.trim())
  )
    invalid("caCertificate must be a PEM certificate");
  return pem.trim();
}

/** Applies `input` over `base` (an update) or alone (a registration) and checks the result. */
export function buildIdentityProvider(
  tenantId: string,
  input: IdentityProviderInput,
  now: Date,
  base?: IdentityProvider,
): IdentityProvider {
  const name = (input.name ?? base?.name ?? invalid("name is required")).toLowerCase();
  if (!NAME.test(name)) invalid("name must be 1-63 of a-z, 0-9 and '-', starting with a letter or digit");
  const issuer = checkIssuer(input.issuer ?? base?.issuer ?? invalid("issuer is required"));
  const clientId = input.clientId ?? base?.clientId ?? invalid("clientId is required");
  if (!PRINTABLE.test(clientId)) invalid("clientId must be 1-256 printable characters");
  const displayName = input.displayName ?? base?.displayName ?? name;
  if (!PRINTABLE.test(displayName)) invalid("displayName must be 1-256 printable characters");
  const auth = (input.clientAuthMethod ?? base?.clientAuth ?? "client_secret_basic") as ClientAuthMethod;
  if (!CLIENT_AUTH_METHODS.includes(auth))
    invalid(`clientAuthMethod must be one of ${CLIENT_AUTH_METHODS.join(", ")}`);
  const scopes =
    input.scopes === undefined
      ? (base?.scopes ?? ["openid", "profile", "email"])
      : checkList(input.scopes, "scopes", SCOPE);
  if (!scopes.includes("openid")) invalid("scopes must include openid");
  const caCertificate =
    input.caCertificate === null
      ? undefined
      : input.caCertificate === undefined
        ? base?.caCertificate
        : checkCa(input.caCertificate);
  return {
    id: base?.id ?? randomUUID(),
    tenantId,
    name,
    displayName,
    issuer,
    clientId,
    clientAuth: auth,
    scopes,
    claims: checkClaims(input.claims, base?.claims),
    allowedDomains:
      input.allowedDomains === undefined
        ? (base?.allowedDomains ?? [])
        : checkList(
            input.allowedDomains.map((d) => d.toLowerCase()),
            "allowedDomains",
            DOMAIN,
            100,
          ),
    jitProvisioning: input.jitProvisioning ?? base?.jitProvisioning ?? false,
    trustMfa: input.trustMfa ?? base?.trustMfa ?? false,
    mfaAcrValues:
      input.mfaAcrValues === undefined
        ? (base?.mfaAcrValues ?? [])
        : checkList(input.mfaAcrValues, "mfaAcrValues", SCOPE),
    enabled: input.enabled ?? base?.enabled ?? true,
    ...(caCertificate === undefined ? {} : { caCertificate }),
    ...(base?.signingKey === undefined ? {} : { signingKey: base.signingKey }),
    createdAt: base?.createdAt ?? now,
    updatedAt: now,
  };
}

function checkSecret(auth: ClientAuthMethod, secret: string | null | undefined, had: boolean): void {
  if (secret !== undefined && secret !== null && !PRINTABLE.test(secret))
    invalid("clientSecret must be 1-256 printable characters");
  if (auth === "private_key_jwt" && typeof secret === "string")
    invalid("clientAuthMethod private_key_jwt takes no clientSecret: hostpass makes and keeps the key");
  const has = secret === undefined ? had : secret !== null;
  if ((auth === "client_secret_basic" || auth === "client_secret_post") && !has)
    invalid(`clientAuthMethod ${auth} needs a clientSecret`);
}

/**
 * With private_key_jwt, the provider with a signing key (a new one when it had none or a rotation
 * is asked for), and the private JWK to store; otherwise as it is.
 */
function withSigningKey(
  provider: IdentityProvider,
  rotate: boolean | undefined,
  now: Date,
): { provider: IdentityProvider; privateJwk?: string } {
  if (rotate && provider.clientAuth !== "private_key_jwt")
    invalid("rotateSigningKey needs clientAuthMethod private_key_jwt");
  if (provider.clientAuth !== "private_key_jwt" || (provider.signingKey && !rotate)) return { provider };
  const { key, privateJwk } = newSigningKey(now);
  return { provider: { ...provider, signingKey: key }, privateJwk };
}

/**
 * Only one provider of a tenant may bind SCIM-provisioned users by externalId: the tenant has one
 * SCIM client (one token), and that client is one organisation's directory. A second provider (a
 * partner's, say) with the same rule could claim the organisation's users by sending their ids.
 */
async function checkOneScimBinder(
  repo: IdentityProviderRepository,
  provider: IdentityProvider,
): Promise<void> {
  if (provider.claims.externalId === undefined) return;
  const other = (await repo.listIdentityProviders(provider.tenantId)).find(
    (p) => p.id !== provider.id && p.claims.externalId !== undefined,
  );
  if (other)
    throw new IdentityProviderConflictError(
      `identity provider '${other.name}' already binds SCIM users by externalId; only one provider of a tenant may`,
    );
}

export async function addIdentityProvider(
  repo: IdentityProviderRepository,
  tenantId: string,
  input: IdentityProviderInput,
  now: Date,
): Promise<IdentityProvider> {
  if (input.rotateSigningKey !== undefined) invalid("rotateSigningKey applies to an update");
  const built = buildIdentityProvider(tenantId, input, now);
  checkSecret(built.clientAuth, input.clientSecret, false);
  if (await repo.findIdentityProviderByName(tenantId, built.name))
    throw new IdentityProviderConflictError(`an identity provider named '${built.name}' exists`);
  await checkOneScimBinder(repo, built);
  const { provider, privateJwk } = withSigningKey(built, false, now);
  await repo.insertIdentityProvider(provider, input.clientSecret ?? undefined, privateJwk);
  return provider;
}

/** By id or by name. */
export async function getIdentityProvider(
  repo: IdentityProviderRepository,
  tenantId: string,
  idOrName: string,
): Promise<IdentityProvider> {
  const found = /^[0-9a-f-]{36}$/i.test(idOrName)
    ? await repo.getIdentityProvider(tenantId, idOrName.toLowerCase())
    : await repo.findIdentityProviderByName(tenantId, idOrName.toLowerCase());
  if (!found) throw new IdentityProviderNotFoundError(`no identity provider '${idOrName.slice(0, 64)}'`);
  return found;
}

export async function updateIdentityProvider(
  repo: IdentityProviderRepository,
  tenantId: string,
  idOrName: string,
  input: IdentityProviderInput,
  now: Date,
): Promise<IdentityProvider> {
  const base = await getIdentityProvider(repo, tenantId, idOrName);
  if (input.name !== undefined && input.name.toLowerCase() !== base.name) {
    if (await repo.findIdentityProviderByName(tenantId, input.name.toLowerCase()))
      throw new IdentityProviderConflictError(`an identity provider named '${input.name}' exists`);
  }
  const built = buildIdentityProvider(tenantId, input, now, base);
  const had = (await repo.getClientSecret(tenantId, base.id)) !== undefined;
  checkSecret(built.clientAuth, input.clientSecret, had);
  await checkOneScimBinder(repo, built);
  const { provider, privateJwk } = withSigningKey(built, input.rotateSigningKey, now);
  await repo.updateIdentityProvider(provider, input.clientSecret, privateJwk);
  return provider;
}

export async function deleteIdentityProvider(
  repo: IdentityProviderRepository,
  tenantId: string,
  idOrName: string,
): Promise<IdentityProvider> {
  const provider = await getIdentityProvider(repo, tenantId, idOrName);
  await repo.deleteIdentityProvider(tenantId, provider.id);
  return provider;
}
