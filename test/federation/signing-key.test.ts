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
