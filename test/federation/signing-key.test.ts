/**
 * private_key_jwt to an upstream provider (issue 13): hostpass makes the key when the method is
 * chosen, keeps the private half sealed, shows only the public half, rotates it on request; a
 * client secret is refused with the method. On a real store (the end-to-end sign-in with a second
 * hostpass server is in hostpass-upstream.test.ts).
 */
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { calculateJwkThumbprint } from "jose";
import { addIdentityProvider, publicJwks, updateIdentityProvider } from "../../src/federation/index.ts";
import type { Store } from "../../src/store/index.ts";
import { startStoreServer } from "../server/store-server.ts";
import { openTenantStore } from "./tenant-store.ts";

describe("private_key_jwt signing keys of upstream providers", () => {
  let store: Store;
  let tenantId = "";
  let close: () => Promise<void>;
  const now = new Date("2026-11-30T10:00:00Z");
  const base = { issuer: "https://login.corp.example", clientId: "hostpass" };
  const refusedWith = (code: string, text: RegExp) => (e: Error & { code?: string }) =>
    e.code === code && text.test(e.message);
  before(async () => {
    ({ store, tenantId, close } = await openTenantStore());
  });
  after(() => close());

  it("the key is made with the method; only its public half is in the settings", async () => {
    const p = await addIdentityProvider(
      store.identityProviders,
      tenantId,
      { ...base, name: "jwt", clientAuthMethod: "private_key_jwt" },
      now,
    );
    assert.ok(p.signingKey);
    assert.equal(p.signingKey.alg, "RS256");
    assert.deepEqual(Object.keys(p.signingKey.publicJwk).sort(), ["e", "kty", "n"]);
    const privateJwk = JSON.parse((await store.identityProviders.getSigningKey(tenantId, p.id)) as string);
    assert.equal(typeof privateJwk.d, "string", "the private half is stored (sealed)");
    assert.equal(privateJwk.kid, p.signingKey.kid);
    // The kid is the RFC 7638 thumbprint of the public key.
    assert.equal(p.signingKey.kid, await calculateJwkThumbprint({ ...p.signingKey.publicJwk }, "sha256"));
    const details = createPublicKey({
      key: { ...p.signingKey.publicJwk },
      format: "jwk",
    }).asymmetricKeyDetails;
    assert.equal(details?.modulusLength, 2048);
    const set = publicJwks(p.signingKey);
    assert.equal(set.keys.length, 1);
    assert.equal(set.keys[0]?.d, undefined);
    assert.equal(set.keys[0]?.use, "sig");
    assert.equal(await store.identityProviders.getClientSecret(tenantId, p.id), undefined);
    const settings = JSON.stringify(await store.identityProviders.getIdentityProvider(tenantId, p.id));
    assert.equal(settings.includes(privateJwk.d), false, "the private half is not in the settings");
  });

  it("rotation makes a new key; other changes keep it", async () => {
    const before = (await store.identityProviders.findIdentityProviderByName(tenantId, "jwt"))?.signingKey;
    const kept = await updateIdentityProvider(
      store.identityProviders,
      tenantId,
      "jwt",
      { trustMfa: true },
      now,
    );
    assert.deepEqual(kept.signingKey, before);
    const rotated = await updateIdentityProvider(
      store.identityProviders,
      tenantId,
      "jwt",
      { rotateSigningKey: true },
      now,
    );
    assert.notEqual(rotated.signingKey?.kid, before?.kid);
    const stored = JSON.parse((await store.identityProviders.getSigningKey(tenantId, rotated.id)) as string);
    assert.equal(stored.kid, rotated.signingKey?.kid);
  });

  it("a client secret with the method, or a rotation without it, is refused", async () => {
    await assert.rejects(
      addIdentityProvider(
        store.identityProviders,
        tenantId,
        { ...base, name: "mixed", clientAuthMethod: "private_key_jwt", clientSecret: "s3cret" },
        now,
      ),
      refusedWith("ERR_IDP_INVALID", /takes no clientSecret/),
    );
    await addIdentityProvider(
      store.identityProviders,
      tenantId,
      { ...base, name: "secret", clientSecret: "s3cret" },
      now,
    );
    await assert.rejects(
      updateIdentityProvider(store.identityProviders, tenantId, "secret", { rotateSigningKey: true }, now),
      refusedWith("ERR_IDP_INVALID", /needs clientAuthMethod private_key_jwt/),
    );
    // Switching an existing provider to the method makes its key.
    const switched = await updateIdentityProvider(
      store.identityProviders,
      tenantId,
      "secret",
      { clientAuthMethod: "private_key_jwt" },
      now,
    );
    assert.ok(switched.signingKey);
    assert.ok(await store.identityProviders.findIdentityProviderById(switched.id));
  });
});

describe("private_key_jwt through the API", () => {
  it("the JWKS URI answers without sign-in; unknown ids 404; a secret with the method 400", async () => {
    const s = await startStoreServer();
    try {
      const created = await s.app.inject({
        method: "POST",
        url: "/directory/identityProviders",
        headers: s.admin,
        payload: {
          name: "corp",
          issuer: "https://login.corp.example",
          clientId: "hostpass",
          clientAuthMethod: "private_key_jwt",
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const p = created.json();
      assert.match(p.jwksUri, new RegExp(`/directory/identityProviders/${p.id}/jwks$`));
      assert.equal(p.clientSecretSet, false);
      const jwks = await s.app.inject({ method: "GET", url: `/directory/identityProviders/${p.id}/jwks` });
      assert.equal(jwks.statusCode, 200, jwks.body);
      assert.deepEqual(jwks.json(), { keys: [p.signingKey.publicJwk] });
      const unknown = await s.app.inject({
        method: "GET",
        url: "/directory/identityProviders/00000000-0000-4000-8000-000000000000/jwks",
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().error.code, "ERR_IDP_NOT_FOUND");
      const notAnId = await s.app.inject({ method: "GET", url: "/directory/identityProviders/corp/jwks" });
      assert.equal(notAnId.statusCode, 400);
      const mixed = await s.app.inject({
        method: "PATCH",
        url: `/directory/identityProviders/${p.id}`,
        headers: s.admin,
        payload: { clientSecret: "s3cret" },
      });
      assert.equal(mixed.statusCode, 400, mixed.body);
      assert.equal(mixed.json().error.code, "ERR_IDP_INVALID");
      // hostpass as the provider: an application registers that public key for private_key_jwt.
      const sp = await s.app.inject({
        method: "POST",
        url: "/directory/servicePrincipals",
        headers: s.admin,
        payload: { displayName: "downstream hostpass" },
      });
      const keysUrl = `/directory/servicePrincipals/${sp.json().id}/keys`;
      const added = await s.app.inject({
        method: "POST",
        url: keysUrl,
        headers: s.admin,
        payload: { publicKeyJwk: p.signingKey.publicJwk },
      });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json().thumbprint, p.signingKey.kid, "the same RFC 7638 thumbprint on both sides");
      const stored = await s.store.directory.listCertificateCredentials(s.tenantId, sp.json().id);
      assert.deepEqual(
        stored.map((c) => c.thumbprint),
        [p.signingKey.kid],
      );
      const privateJwk = JSON.parse(
        (await s.store.identityProviders.getSigningKey(s.tenantId, p.id)) ?? "{}",
      );
      const refused = await s.app.inject({
        method: "POST",
        url: keysUrl,
        headers: s.admin,
        payload: { publicKeyJwk: privateJwk },
      });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.match(refused.body, /private members/);
      // Back to a client secret: the key set is no longer published.
      const back = await s.app.inject({
        method: "PATCH",
        url: `/directory/identityProviders/${p.id}`,
        headers: s.admin,
        payload: { clientAuthMethod: "client_secret_basic", clientSecret: "s3cret" },
      });
      assert.equal(back.statusCode, 200, back.body);
      assert.equal(back.json().jwksUri, undefined);
      const none = await s.app.inject({ method: "GET", url: `/directory/identityProviders/${p.id}/jwks` });
      assert.deepEqual(none.json(), { keys: [] });
    } finally {
      await s.close();
    }
  });
});
