/**
 * Upstream OpenID Connect providers (issue 13): list, add, show (with the redirect URI to register
 * at the provider), change, enable or disable, delete. Every change is one call to
 * `/directory/identityProviders`; the client secret is write-only there and here.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { field } from "../../lib/forms.ts";
import { html } from "../../lib/html.ts";
import { change, oneCallAction } from "../lib/actions.ts";
import { adminGet, adminPost } from "../lib/admin-route.ts";
import type { AdminContext } from "../lib/api-client.ts";
import { directoryTabs } from "../views/directory.ts";
import { type IdentityProviderView, identityProviderForm } from "../views/identity-providers.ts";
import { actionButton, badge, copyable, facts, table, time } from "../views/parts.ts";

const PATH = "/directory/identity-providers";
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A provider's name from the URL, checked before it reaches the API path. */
function nameOf(request: FastifyRequest): string {
  const name = (request.params as { name: string }).name.toLowerCase();
  return NAME.test(name) ? name : "-";
}

const words = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The form as the API's body; `update`: empty optional claims are removed, an empty secret kept. */
function bodyOf(request: FastifyRequest, update: boolean): Record<string, unknown> {
  const optional = (name: string) => {
    const v = field(request, name).trim();
    return v === "" ? (update ? null : undefined) : v;
  };
  const secret = field(request, "clientSecret");
  const ca = field(request, "caCertificate").trim();
  const displayName = field(request, "displayName").trim();
  const claims = Object.fromEntries(
    Object.entries({
      username: field(request, "usernameClaim").trim() || undefined,
      linuxName: optional("linuxNameClaim"),
      groups: optional("groupsClaim"),
      externalId: optional("externalIdClaim"),
    }).filter(([, v]) => v !== undefined),
  );
  return {
    ...(update ? {} : { name: field(request, "name").trim() }),
    ...(displayName === "" ? {} : { displayName }),
    issuer: field(request, "issuer").trim(),
    clientId: field(request, "clientId").trim(),
    clientAuthMethod: field(request, "clientAuthMethod"),
    ...(secret === "" ? {} : { clientSecret: secret }),
    scopes: words(field(request, "scopes")),
    claims,
    allowedDomains: words(field(request, "allowedDomains")),
    mfaAcrValues: words(field(request, "mfaAcrValues")),
    jitProvisioning: field(request, "jitProvisioning") === "on",
    trustMfa: field(request, "trustMfa") === "on",
    enabled: field(request, "enabled") === "on",
    ...(ca === "" ? {} : { caCertificate: ca }),
  };
}

export function registerDirectoryIdentityProviders(app: FastifyInstance, ctx: AdminContext): void {
  const api = "/directory/identityProviders";

  adminGet(app, ctx, PATH, async (page) => {
    const [list, canWrite] = await Promise.all([
      page.api.get<{ value: IdentityProviderView[] }>(api),
      page.api.can("Directory/identityProviders/write", "/"),
    ]);
    const rows = list.value.map((p) => [
      html`<a href="${page.base}${PATH}/${p.name}">${p.displayName}</a>`,
      html`<code>${p.name}</code>`,
      p.issuer,
      p.enabled ? badge("Offered", "ok") : badge("Disabled", "bad"),
      p.jitProvisioning ? "Yes" : "No",
      p.trustMfa ? badge("Trusted", "warn") : "No",
    ]);
    const body = html`${directoryTabs(page.base, "identity-providers")}<p class="muted">People sign in through these OpenID Connect providers ("Sign in with …" on the sign-in page). Bound by the provider's issuer and subject, never by email.</p>
${table("Identity providers", ["Name", "Short name", "Issuer", "Sign-in page", "Creates users", "MFA"], rows, "No identity provider yet.")}
${canWrite ? identityProviderForm(`${page.base}${PATH}`, page.csrf) : html``}`;
    return page.render("directory", "Identity providers", body);
  });

  adminPost(app, ctx, PATH, async (page, request, reply) => {
    let to = `${page.base}${PATH}`;
    return change(
      ctx,
      page,
      reply,
      () => to,
      async () => {
        const p = await page.api.call<IdentityProviderView>({
          method: "POST",
          path: api,
          body: bodyOf(request, false),
        });
        to = `${page.base}${PATH}/${p.name}`;
        return {
          tone: "success",
          text: `Identity provider ${p.displayName} added. Register the redirect URI below at the provider.`,
        };
      },
      "The identity provider was not added",
    );
  });

  adminGet(app, ctx, `${PATH}/:name`, async (page, request) => {
    const name = nameOf(request);
    const [p, canWrite, canDelete] = await Promise.all([
      page.api.get<IdentityProviderView>(`${api}/${name}`),
      page.api.can("Directory/identityProviders/write", "/"),
      page.api.can("Directory/identityProviders/delete", "/"),
    ]);
    const here = `${page.base}${PATH}/${p.name}`;
    const buttons = [
      canWrite
        ? actionButton(page.csrf, `${here}/enabled`, p.enabled ? "Disable" : "Enable", {
            enabled: p.enabled ? "false" : "true",
          })
        : "",
      canWrite && p.signingKey && p.clientAuthMethod === "private_key_jwt"
        ? actionButton(page.csrf, `${here}/rotate-key`, "New signing key")
        : "",
      canDelete ? actionButton(page.csrf, `${here}/delete`, "Delete", {}, "danger") : "",
    ];
    const claims = Object.entries(p.claims)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    const body = html`${directoryTabs(page.base, "identity-providers")}<h2 id="register">Register at the provider</h2>
<p class="muted">Give the provider this redirect URI for the client id <code>${p.clientId}</code>:</p>
${copyable("idp-redirect-uri", p.redirectUri, "Redirect URI")}
${
  p.jwksUri && p.signingKey
    ? html`<p class="muted">The client authenticates with a key hostpass made (private_key_jwt, key id <code>${p.signingKey.kid}</code>). Let the provider fetch its public key set, or give it the key itself:</p>
${copyable("idp-jwks-uri", p.jwksUri, "JWKS URI")}
${copyable("idp-public-jwk", JSON.stringify(p.signingKey.publicJwk), "Public key (JWK)")}`
    : html``
}
${facts([
  ["Issuer", html`<code>${p.issuer}</code>`],
  ["Client id", html`<code>${p.clientId}</code>`],
  [
    "Client authentication",
    html`<code>${p.clientAuthMethod}</code>${p.clientSecretSet ? " (secret stored)" : ""}`,
  ],
  ["Scopes", p.scopes.join(" ")],
  ["Claims", claims],
  ["Allowed domains", p.allowedDomains.length === 0 ? "Any" : p.allowedDomains.join(", ")],
  ["Creates users at first sign-in", p.jitProvisioning ? "Yes" : "No"],
  [
    "Trusted for MFA",
    p.trustMfa ? `Yes${p.mfaAcrValues.length ? ` (also acr ${p.mfaAcrValues.join(", ")})` : ""}` : "No",
  ],
  ["Sign-in page", p.enabled ? badge("Offered", "ok") : badge("Disabled", "bad")],
  ["Private CA", p.caCertificateSet ? "Set" : "No"],
  ["Updated", time(p.updatedDateTime)],
])}${canWrite || canDelete ? html`<div class="toolbar">${buttons}</div>` : html``}
${canWrite ? identityProviderForm(here, page.csrf, p) : html``}`;
    return page.render("directory", p.displayName, body, {
      crumbs: [["Identity providers", `${page.base}${PATH}`]],
    });
  });

  adminPost(app, ctx, `${PATH}/:name`, async (page, request, reply) => {
    const name = nameOf(request);
    return change(
      ctx,
      page,
      reply,
      `${page.base}${PATH}/${name}`,
      async () => {
        await page.api.call({ method: "PATCH", path: `${api}/${name}`, body: bodyOf(request, true) });
        return { tone: "success", text: "Identity provider saved." };
      },
      "Nothing was changed",
    );
  });

  oneCallAction(app, ctx, `${PATH}/:name/enabled`, (page, request) => {
    const name = nameOf(request);
    const enabled = field(request, "enabled") === "true";
    return {
      call: { method: "PATCH", path: `${api}/${name}`, body: { enabled } },
      to: `${page.base}${PATH}/${name}`,
      done: enabled ? "Offered on the sign-in page again." : "Disabled: no one signs in through it.",
      failure: "Nothing was changed",
    };
  });

  oneCallAction(app, ctx, `${PATH}/:name/rotate-key`, (page, request) => {
    const name = nameOf(request);
    return {
      call: { method: "PATCH", path: `${api}/${name}`, body: { rotateSigningKey: true } },
      to: `${page.base}${PATH}/${name}`,
      done: "New signing key made: the provider must fetch or be given it again.",
      failure: "No key was made",
    };
  });

  oneCallAction(app, ctx, `${PATH}/:name/delete`, (page, request) => ({
    call: { method: "DELETE", path: `${api}/${nameOf(request)}` },
    to: `${page.base}${PATH}`,
    done: "Identity provider deleted; its users and groups stay.",
    failure: "The identity provider was not deleted",
  }));
}
