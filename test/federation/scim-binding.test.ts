/**
 * A SCIM-provisioned user signs in through the organisation's OpenID Connect provider (issue 13,
 * the binding rule of docs/federation.md): the provider's `externalId` claim equal to the SCIM
 * externalId binds that user at its first sign-in, once. Both orders (SCIM first, then sign-in;
 * sign-in first, then the SCIM client finds and adopts the user) and the hostile cases — another
 * provider's identity with the same value, a second subject of the same provider, duplicate
 * externalIds, a user outside the allowed domains, a local user — on a real store.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createUser } from "../../src/directory/index.ts";
import {
  addIdentityProvider,
  createScimUser,
  type IdentityProvider,
  listScimUsers,
  patchScimUser,
  type ScimContext,
  signInFederated,
  updateIdentityProvider,
} from "../../src/federation/index.ts";
import type { Store } from "../../src/store/index.ts";
import { openTenantStore } from "./tenant-store.ts";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const refusedWith = (code: string, text?: RegExp) => (e: Error & { code?: string }) =>
  e.code === code && (text === undefined || text.test(e.message));

describe("SCIM-provisioned users bound at their first upstream sign-in", () => {
  let store: Store;
  let tenantId = "";
  let close: () => Promise<void>;
  let corp: IdentityProvider;
  let partner: IdentityProvider;
  const now = new Date("2026-11-30T10:00:00Z");
  const repos = () => ({
    directory: store.directory,
    providers: store.identityProviders,
    federation: store.federation,
  });
  const scim = (): ScimContext => ({
    tenantId,
    directory: store.directory,
    federation: store.federation,
    now,
    baseUrl: "https://hostpass.example/scim/v2",
  });
  const provision = (userName: string, externalId: string) =>
    createScimUser(scim(), { schemas: [USER], userName, externalId, active: true });
  /** Gives (a claim name) or takes (null) a provider's externalId rule. */
  const setRule = (name: string, externalId: string | null) =>
    updateIdentityProvider(store.identityProviders, tenantId, name, { claims: { externalId } }, now);
  const bindingsOf = async (principalId: string) =>
    (await store.identityProviders.listFederatedIdentitiesOf(tenantId, principalId)).map(
      (b) => `${b.issuer} ${b.subject}`,
    );

  before(async () => {
    ({ store, tenantId, close } = await openTenantStore());
    const base = { clientId: "hostpass", clientSecret: "s3cret", jitProvisioning: true };
    corp = await addIdentityProvider(
      store.identityProviders,
      tenantId,
      {
        ...base,
        name: "corp",
        issuer: "https://login.corp.example",
        claims: { externalId: "oid" },
        allowedDomains: ["corp.example"],
      },
      now,
    );
    partner = await addIdentityProvider(
      store.identityProviders,
      tenantId,
      { ...base, name: "partner", issuer: "https://login.partner.example" },
      now,
    );
  });
  after(() => close());

  it("SCIM first: the first sign-in whose claim equals the externalId binds that user, the next finds it by subject", async () => {
    const created = await provision("ann@corp.example", "oid-ann");
    const first = await signInFederated(
      repos(),
      corp,
      { sub: "pairwise-ann", oid: "oid-ann", preferred_username: "ann@corp.example" },
      now,
    );
    assert.equal(first.user.id, created.id);
    assert.equal(first.created, false);
    assert.equal(first.boundByExternalId, true);
    assert.deepEqual(await bindingsOf(first.user.id), ["https://login.corp.example pairwise-ann"]);
    // Later sign-ins go by (issuer, subject): a changed or missing oid claim does not matter.
    const again = await signInFederated(repos(), corp, { sub: "pairwise-ann" }, now);
    assert.equal(again.user.id, created.id);
    assert.equal(again.boundByExternalId, false);
  });

  it("never by email or name: the same UPN without the claim, or with another value, is not bound", async () => {
    const created = await provision("bo@corp.example", "oid-bo");
    await assert.rejects(
      signInFederated(repos(), corp, { sub: "s-bo", preferred_username: "bo@corp.example" }, now),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /already exists and is not bound/),
    );
    await assert.rejects(
      signInFederated(
        repos(),
        corp,
        { sub: "s-bo", oid: "OID-BO", preferred_username: "bo@corp.example", email: "bo@corp.example" },
        now,
      ),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /not merged/),
      "externalId is case-exact",
    );
    assert.deepEqual(await bindingsOf(created.id as string), []);
  });

  it("another provider's identity with the same externalId does not bind; nor may a second provider take the rule", async () => {
    const created = await provision("cy@corp.example", "oid-cy");
    // The partner has no externalId rule: its oid claim means nothing; JIT refuses the taken UPN.
    await assert.rejects(
      signInFederated(
        repos(),
        partner,
        { sub: "oid-cy", oid: "oid-cy", preferred_username: "cy@corp.example" },
        now,
      ),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /not merged/),
    );
    // Nor can the partner be given the rule while corp has it.
    await assert.rejects(
      updateIdentityProvider(
        store.identityProviders,
        tenantId,
        "partner",
        { claims: { externalId: "oid" } },
        now,
      ),
      refusedWith("ERR_IDP_CONFLICT", /'corp' already binds SCIM users/),
    );
    await assert.rejects(
      addIdentityProvider(
        store.identityProviders,
        tenantId,
        {
          name: "third",
          issuer: "https://third.example",
          clientId: "c",
          clientSecret: "s",
          claims: { externalId: "oid" },
        },
        now,
      ),
      refusedWith("ERR_IDP_CONFLICT"),
    );
    assert.deepEqual(await bindingsOf(created.id as string), []);
    // Bound to corp, the user is not bound again by another corp subject with the same value.
    await signInFederated(repos(), corp, { sub: "s-cy", oid: "oid-cy" }, now);
    await assert.rejects(
      signInFederated(repos(), corp, { sub: "s-cy-2", oid: "oid-cy" }, now),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /bound to another identity already/),
    );
    assert.deepEqual(await bindingsOf(created.id as string), ["https://login.corp.example s-cy"]);
  });

  it("when the rule moves to another provider, users bound to the first are not bound again", async () => {
    await provision("dee@corp.example", "oid-dee");
    const bound = await signInFederated(repos(), corp, { sub: "s-dee", oid: "oid-dee" }, now);
    corp = await setRule("corp", null);
    assert.equal(corp.claims.externalId, undefined);
    partner = await setRule("partner", "oid");
    await assert.rejects(
      signInFederated(repos(), partner, { sub: "p-dee", oid: "oid-dee" }, now),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /bound to another identity already/),
    );
    assert.deepEqual(await bindingsOf(bound.user.id), ["https://login.corp.example s-dee"]);
    partner = await setRule("partner", null);
    corp = await setRule("corp", "oid");
  });

  it("duplicate externalIds, a domain the provider may not speak for, a disabled user: refused, nothing bound", async () => {
    const one = await provision("eve@corp.example", "oid-dup");
    const two = await provision("eve2@corp.example", "oid-dup");
    await assert.rejects(
      signInFederated(repos(), corp, { sub: "s-dup", oid: "oid-dup" }, now),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /2 hostpass accounts have this SCIM externalId/),
    );
    const other = await provision("fay@elsewhere.example", "oid-fay");
    await assert.rejects(
      signInFederated(repos(), corp, { sub: "s-fay", oid: "oid-fay" }, now),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /outside the domains allowed/),
    );
    const gus = await createScimUser(scim(), {
      schemas: [USER],
      userName: "gus@corp.example",
      externalId: "oid-gus",
      active: false,
    });
    await assert.rejects(
      signInFederated(repos(), corp, { sub: "s-gus", oid: "oid-gus" }, now),
      refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /disabled/),
    );
    await assert.rejects(
      signInFederated(repos(), corp, { sub: "s-bad", oid: ["oid-ann"] }, now),
      refusedWith("ERR_FEDERATION_CLAIM_INVALID"),
    );
    for (const id of [one.id, two.id, other.id, gus.id]) assert.deepEqual(await bindingsOf(id as string), []);
  });

  it("sign-in first: the SCIM client finds the user by userName and gives it its externalId; the binding stays", async () => {
    const first = await signInFederated(
      repos(),
      corp,
      { sub: "s-hal", oid: "oid-hal", preferred_username: "hal@corp.example" },
      now,
    );
    assert.equal(first.created, true, "no SCIM user yet: created just in time");
    // What Entra ID and Okta do before creating: look the user up by userName, then PATCH it.
    const found = await listScimUsers(scim(), { filter: 'userName eq "hal@corp.example"' });
    assert.equal(found.totalResults, 1);
    const id = (found.Resources as Array<{ id: string }>)[0]?.id as string;
    assert.equal(id, first.user.id);
    await patchScimUser(scim(), id, {
      schemas: [PATCH],
      Operations: [{ op: "add", path: "externalId", value: "oid-hal" }],
    });
    const again = await signInFederated(repos(), corp, { sub: "s-hal", oid: "oid-hal" }, now);
    assert.equal(again.user.id, first.user.id);
    assert.deepEqual(await bindingsOf(id), ["https://login.corp.example s-hal"]);
  });

  it("a local user is never bound (it has no SCIM externalId), whatever the claim says", async () => {
    const local = await createUser(store.directory, {
      tenantId,
      upn: "ivy@corp.example",
      displayName: "Ivy",
    });
    for (const oid of [local.id, "ivy@corp.example", "ivy"])
      await assert.rejects(
        signInFederated(repos(), corp, { sub: "s-ivy", oid, preferred_username: "ivy@corp.example" }, now),
        refusedWith("ERR_FEDERATION_ACCOUNT_REFUSED", /not merged/),
      );
    assert.deepEqual(await bindingsOf(local.id), []);
  });
});
