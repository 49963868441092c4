/**
 * What a verified upstream sign-in becomes (federation's signInFederated) on a real store: binding
 * by (issuer, sub) only, JIT on/off, Linux-name collisions refused, disabled users refused, groups
 * synced without touching other groups, and upstream MFA trusted only when the provider is.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  addGroupMember,
  createGroup,
  createUser,
  groupClosure,
  setUserEnabled,
} from "../../src/directory/index.ts";
import {
  addIdentityProvider,
  type IdentityProvider,
  signInFederated,
  updateIdentityProvider,
} from "../../src/federation/index.ts";
import type { Store } from "../../src/store/index.ts";
import { openTenantStore } from "./tenant-store.ts";

describe("upstream sign-in mapping", () => {
  let store: Store;
  let tenantId = "";
  let close: () => Promise<void>;
  let provider: IdentityProvider;
  const now = new Date("2026-11-30T10:00:00Z");
  const repos = () => ({
    directory: store.directory,
    providers: store.identityProviders,
    federation: store.federation,
  });
  const signIn = (claims: Record<string, unknown>) => signInFederated(repos(), provider, claims, now);
  const groupNames = async (id: string) =>
    (await store.directory.getPrincipals(tenantId, [...(await groupClosure(store.directory, tenantId, id))]))
      .map((g) => g.displayName)
      .sort();

  before(async () => {
    ({ store, tenantId, close } = await openTenantStore());
    provider = await addIdentityProvider(
      store.identityProviders,
      tenantId,
      {
        name: "corp",
        issuer: "https://login.corp.example",
        clientId: "hostpass",
        clientSecret: "s3cret",
        jitProvisioning: true,
        claims: { groups: "groups", linuxName: "unix_name" },
        mfaAcrValues: ["urn:corp:mfa"],
      },
      now,
    );
  });
  after(() => close());

  it("binds by issuer and subject; a second sign-in with another name is still the same user", async () => {
    const first = await signIn({ sub: "s-1", preferred_username: "ann@corp.example", unix_name: "ann" });
    assert.equal(first.created, true);
    assert.equal(first.user.linuxName, "ann");
    const again = await signIn({ sub: "s-1", preferred_username: "renamed@corp.example", unix_name: "ann" });
    assert.equal(again.created, false);
    assert.equal(again.user.id, first.user.id);
    assert.equal(again.user.upn, "ann@corp.example", "the name upstream changed; the binding did not");
  });

  it("a Linux name a local account has is refused, not taken over", async () => {
    await createUser(store.directory, {
      tenantId,
      upn: "bob@local.example",
      displayName: "Bob",
      linuxName: "bob",
    });
    await assert.rejects(
      signIn({ sub: "s-2", preferred_username: "bob@corp.example", unix_name: "bob" }),
      (e: Error & { code?: string }) => e.code === "ERR_DIRECTORY_LINUX_NAME_TAKEN",
    );
    assert.equal(
      await store.identityProviders.findFederatedIdentity(tenantId, provider.issuer, "s-2"),
      undefined,
    );
  });

  it("groups follow the claim; other groups are left alone", async () => {
    const local = await createGroup(store.directory, { tenantId, displayName: "local-only" });
    const r = await signIn({
      sub: "s-3",
      preferred_username: "cy@corp.example",
      unix_name: "cy",
      groups: ["a", "b"],
    });
    await addGroupMember(store.directory, { tenantId, groupId: local.id, memberId: r.user.id });
    assert.deepEqual(await groupNames(r.user.id), ["a", "b", "local-only"]);
    await signIn({ sub: "s-3", unix_name: "cy", groups: ["b", "c"] });
    assert.deepEqual(await groupNames(r.user.id), ["b", "c", "local-only"]);
    await signIn({ sub: "s-3", unix_name: "cy" });
    assert.deepEqual(await groupNames(r.user.id), ["local-only"], "no claim: no provider groups");
    await assert.rejects(
      signIn({ sub: "s-3", groups: [42] }),
      (e: Error & { code?: string }) => e.code === "ERR_FEDERATION_CLAIM_INVALID",
    );
  });

  it("upstream MFA counts only when the provider is trusted for it", async () => {
    const claims = {
      sub: "s-4",
      preferred_username: "di@corp.example",
      unix_name: "di",
      amr: ["pwd", "mfa"],
    };
    assert.deepEqual((await signIn(claims)).amr, ["fed"]);
    provider = await updateIdentityProvider(
      store.identityProviders,
      tenantId,
      "corp",
      { trustMfa: true },
      now,
    );
    assert.deepEqual((await signIn(claims)).amr, ["fed", "mfa"]);
    assert.deepEqual((await signIn({ ...claims, amr: ["pwd"] })).amr, ["fed"]);
    assert.deepEqual((await signIn({ ...claims, amr: ["pwd"], acr: "urn:corp:mfa" })).amr, ["fed", "mfa"]);
    provider = await updateIdentityProvider(
      store.identityProviders,
      tenantId,
      "corp",
      { trustMfa: false },
      now,
    );
  });

  it("a disabled user is refused; without JIT an unbound identity is refused", async () => {
    const r = await signIn({ sub: "s-5", preferred_username: "eve@corp.example", unix_name: "eve" });
    await setUserEnabled(store.directory, tenantId, r.user.id, false);
    await assert.rejects(
      signIn({ sub: "s-5" }),
      (e: Error & { code?: string }) => e.code === "ERR_FEDERATION_ACCOUNT_REFUSED",
    );
    provider = await updateIdentityProvider(
      store.identityProviders,
      tenantId,
      "corp",
      { jitProvisioning: false },
      now,
    );
    await assert.rejects(
      signIn({ sub: "s-6", preferred_username: "fay@corp.example", unix_name: "fay" }),
      /no hostpass account is bound/,
    );
  });

  it("settings are checked: https issuer, openid scope, a secret for confidential clients, unique names", async () => {
    const base = { issuer: "https://x.example", clientId: "c", clientSecret: "s" };
    const refused = async (input: Record<string, unknown>, code: string) =>
      assert.rejects(
        addIdentityProvider(store.identityProviders, tenantId, { ...base, ...input }, now),
        (e: Error & { code?: string }) => e.code === code,
      );
    await refused({ name: "h", issuer: "http://x.example" }, "ERR_IDP_INVALID");
    await refused({ name: "s", scopes: ["profile"] }, "ERR_IDP_INVALID");
    await refused({ name: "n", clientSecret: undefined }, "ERR_IDP_INVALID");
    await refused({ name: "Bad Name" }, "ERR_IDP_INVALID");
    await refused({ name: "corp" }, "ERR_IDP_CONFLICT");
    const pub = await addIdentityProvider(
      store.identityProviders,
      tenantId,
      { ...base, name: "pub", clientSecret: undefined, clientAuthMethod: "none" },
      now,
    );
    assert.equal(await store.identityProviders.getClientSecret(tenantId, pub.id), undefined);
    assert.equal(await store.identityProviders.getClientSecret(tenantId, provider.id), "s3cret");
  });
});
