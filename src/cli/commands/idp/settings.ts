/** The options `idp add` and `idp update` share, and the request body they make. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { parseBoolean } from "../../lib/parse.ts";

export interface IdpOptions {
  name?: string;
  displayName?: string;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  clientAuthMethod?: string;
  scopes?: string;
  usernameClaim?: string;
  linuxNameClaim?: string;
  displayNameClaim?: string;
  groupsClaim?: string;
  externalIdClaim?: string;
  allowedDomains?: string;
  jit?: string;
  trustMfa?: string;
  mfaAcrValues?: string;
  enabled?: string;
  caFile?: string;
}

export function idpOptions(command: Command): Command {
  return command
    .option("--display-name <text>", "shown on the sign-in page: 'Sign in with <text>'")
    .option("--issuer <url>", "the provider's issuer (its discovery document must name exactly this)")
    .option("--client-id <id>", "hostpass's client id at the provider")
    .option(
      "--client-secret <secret>",
      "hostpass's client secret at the provider (stored sealed, never shown)",
    )
    .option(
      "--client-auth-method <m>",
      "client_secret_basic (default), client_secret_post, private_key_jwt (hostpass makes the key; register its jwksUri) or none",
    )
    .option(
      "--scopes <list>",
      "space- or comma-separated; must include openid (default: openid profile email)",
    )
    .option(
      "--username-claim <claim>",
      "the claim that is the UPN (default preferred_username; email needs email_verified)",
    )
    .option(
      "--linux-name-claim <claim>",
      "the claim that is the Linux name (default: from the UPN; '' removes)",
    )
    .option("--display-name-claim <claim>", "default name")
    .option("--groups-claim <claim>", "a claim listing group names, synced at each sign-in ('' removes)")
    .option(
      "--external-id-claim <claim>",
      "a claim equal to the SCIM externalId: binds a SCIM-provisioned user at its first sign-in ('' removes)",
    )
    .option("--allowed-domains <list>", "UPN domains accepted from this provider (comma-separated)")
    .option("--jit <true|false>", "create users at their first sign-in")
    .option("--trust-mfa <true|false>", "count the provider's amr/acr as multi-factor")
    .option("--mfa-acr-values <list>", "acr values that mean multi-factor (with --trust-mfa)")
    .option("--enabled <true|false>", "offer it on the sign-in page")
    .option("--ca-file <pem>", "a CA certificate to trust for the provider's HTTPS");
}

const list = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** An optional claim mapping: '' removes it (null), absent leaves it. */
const optionalClaim = (key: string, value: string | undefined) =>
  value === undefined ? {} : { [key]: value === "" ? null : value };

export async function idpBody(o: IdpOptions): Promise<Record<string, unknown>> {
  const claims = {
    ...(o.usernameClaim ? { username: o.usernameClaim } : {}),
    ...optionalClaim("linuxName", o.linuxNameClaim),
    ...(o.displayNameClaim ? { displayName: o.displayNameClaim } : {}),
    ...optionalClaim("groups", o.groupsClaim),
    ...optionalClaim("externalId", o.externalIdClaim),
  };
  return {
    ...(o.name === undefined ? {} : { name: o.name }),
    ...(o.displayName === undefined ? {} : { displayName: o.displayName }),
    ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
    ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
    ...(o.clientSecret === undefined ? {} : { clientSecret: o.clientSecret }),
    ...(o.clientAuthMethod === undefined ? {} : { clientAuthMethod: o.clientAuthMethod }),
    ...(o.scopes === undefined ? {} : { scopes: list(o.scopes) }),
    ...(Object.keys(claims).length === 0 ? {} : { claims }),
    ...(o.allowedDomains === undefined ? {} : { allowedDomains: list(o.allowedDomains) }),
    ...(o.jit === undefined ? {} : { jitProvisioning: parseBoolean("--jit", o.jit) }),
    ...(o.trustMfa === undefined ? {} : { trustMfa: parseBoolean("--trust-mfa", o.trustMfa) }),
    ...(o.mfaAcrValues === undefined ? {} : { mfaAcrValues: list(o.mfaAcrValues) }),
    ...(o.enabled === undefined ? {} : { enabled: parseBoolean("--enabled", o.enabled) }),
    ...(o.caFile === undefined ? {} : { caCertificate: await readFile(o.caFile, "utf8") }),
  };
}
