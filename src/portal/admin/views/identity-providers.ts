/** The identity provider pages' form: one for adding and for changing (prefilled) a provider. */
import { html, type SafeHtml } from "../../lib/html.ts";
import { csrfField } from "../../views/layout.ts";

/** A provider as `/directory/identityProviders` shows it (never its secret). */
export interface IdentityProviderView {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientAuthMethod: string;
  readonly clientSecretSet: boolean;
  readonly scopes: readonly string[];
  readonly claims: Readonly<Record<string, string>>;
  readonly allowedDomains: readonly string[];
  readonly jitProvisioning: boolean;
  readonly trustMfa: boolean;
  readonly mfaAcrValues: readonly string[];
  readonly enabled: boolean;
  readonly caCertificateSet: boolean;
  readonly redirectUri: string;
  /** private_key_jwt: the public key set to register at the provider. */
  readonly jwksUri?: string;
  readonly signingKey?: { readonly kid: string; readonly publicJwk: Readonly<Record<string, string>> };
  readonly createdDateTime: string;
  readonly updatedDateTime: string;
}

export const AUTH_METHODS: readonly (readonly [string, string])[] = [
  ["client_secret_basic", "Client secret (HTTP Basic)"],
  ["client_secret_post", "Client secret (in the form)"],
  ["private_key_jwt", "Private key JWT (hostpass makes the key)"],
  ["none", "None (public client with PKCE)"],
];

const checked = (on: boolean) => (on ? html` checked` : "");

/** The add form (no `p`) or the change form (prefilled from `p`; an empty secret keeps the stored one). */
export function identityProviderForm(action: string, csrf: string, p?: IdentityProviderView): SafeHtml {
  const id = (name: string) => `idp-${name}`;
  const text = (
    name: string,
    label: string,
    value: string,
    extra: { required?: boolean; hint?: string; max?: number; placeholder?: string } = {},
  ) =>
    html`<label for="${id(name)}">${label}</label><input id="${id(name)}" name="${name}" type="text" maxlength="${String(extra.max ?? 256)}" value="${value}"${extra.required ? html` required` : ""}${extra.placeholder ? html` placeholder="${extra.placeholder}"` : ""}${extra.hint ? html` aria-describedby="${id(name)}-hint"` : ""} autocomplete="off">${extra.hint ? html`<p id="${id(name)}-hint" class="muted hint">${extra.hint}</p>` : ""}`;
  const method = p?.clientAuthMethod ?? "client_secret_basic";
  return html`<form method="post" action="${action}" class="panel"><h2 id="idp-form">${p ? "Change the provider" : "New identity provider"}</h2>${csrfField(csrf)}
<div class="form-grid">
${p ? "" : text("name", "Short name", "", { required: true, max: 63, hint: "a-z, 0-9 and '-'; what hostpass idp names it by", placeholder: "contoso" })}
${text("displayName", "Display name", p?.displayName ?? "", { hint: "The sign-in page offers 'Sign in with <display name>'." })}
${text("issuer", "Issuer", p?.issuer ?? "", { required: true, max: 1024, placeholder: "https://login.contoso.example", hint: "Its discovery document must name exactly this issuer." })}
${text("clientId", "Client id", p?.clientId ?? "", { required: true })}
<label for="${id("clientAuthMethod")}">Client authentication</label><select id="${id("clientAuthMethod")}" name="clientAuthMethod">${AUTH_METHODS.map(
    ([value, label]) =>
      html`<option value="${value}"${value === method ? html` selected` : ""}>${label}</option>`,
  )}</select>
<label for="${id("clientSecret")}">Client secret</label><input id="${id("clientSecret")}" name="clientSecret" type="password" maxlength="256" autocomplete="new-password" aria-describedby="${id("clientSecret")}-hint">
<p id="${id("clientSecret")}-hint" class="muted hint">${p?.clientSecretSet ? "A secret is stored (never shown). Leave empty to keep it." : "Stored sealed, never shown again."} Not used with a private key JWT.</p>
${text("scopes", "Scopes", (p?.scopes ?? ["openid", "profile", "email"]).join(" "), { max: 1024, hint: "Space-separated; must include openid." })}
${text("usernameClaim", "User name claim", p?.claims.username ?? "preferred_username", { max: 128, hint: "The UPN in hostpass; email counts only with email_verified." })}
${text("linuxNameClaim", "Linux name claim", p?.claims.linuxName ?? "", { max: 128, hint: "Empty: derived from the UPN." })}
${text("groupsClaim", "Groups claim", p?.claims.groups ?? "", { max: 128, hint: "Empty: groups are not synced." })}
${text("externalIdClaim", "SCIM externalId claim", p?.claims.externalId ?? "", { max: 128, hint: "The claim equal to the SCIM externalId: binds a SCIM-provisioned user at its first sign-in (one provider per tenant)." })}
${text("allowedDomains", "Allowed domains", (p?.allowedDomains ?? []).join(" "), { max: 4096, hint: "Space-separated UPN domains; empty: any." })}
${text("mfaAcrValues", "MFA acr values", (p?.mfaAcrValues ?? []).join(" "), { max: 1024, hint: "acr values that mean multi-factor (when trusted)." })}
<label for="${id("caCertificate")}">CA certificate</label><textarea id="${id("caCertificate")}" name="caCertificate" spellcheck="false" aria-describedby="${id("caCertificate")}-hint"></textarea>
<p id="${id("caCertificate")}-hint" class="muted hint">PEM of a private CA for the provider's HTTPS. ${p?.caCertificateSet ? "One is set; leave empty to keep it." : "Empty: the system's CAs."}</p>
</div>
<label class="check"><input type="checkbox" name="jitProvisioning" value="on"${checked(p?.jitProvisioning ?? false)}> <span>Create users at their first sign-in</span></label>
<label class="check"><input type="checkbox" name="trustMfa" value="on"${checked(p?.trustMfa ?? false)}> <span>Trust the provider's MFA (amr/acr) for "require MFA"</span></label>
<label class="check"><input type="checkbox" name="enabled" value="on"${checked(p?.enabled ?? true)}> <span>Offer it on the sign-in page</span></label>
<button type="submit" class="primary">${p ? "Save changes" : "Add provider"}</button></form>`;
}
