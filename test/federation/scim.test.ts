/**
 * SCIM 2.0 service provider (issue 13): the RFC 7644 examples (create, filter `userName eq`,
 * PATCH add/remove members, deactivate), the token (created, rotated, deleted, wrong, missing),
 * hostile bodies and filters, immutable attributes, and that what SCIM writes is the directory's
 * (the API sees it; deactivation ends sessions and certificates; the activity log has it).
 * A real Fastify server on a real SQLite store, through inject.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validCertificateOf } from "../server/helpers.ts";
import { type StoreServer, startStoreServer } from "../server/store-server.ts";
import { createTestDatabase, selectedDialects, type TestDatabase } from "../store/dialects.ts";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const HOSTPASS = "urn:hostpass:params:scim:schemas:extension:2.0:User";

for (const dialect of selectedDialects())
  describe(`SCIM 2.0 at /scim/v2 (${dialect})`, () => {
    let s: StoreServer;
    let db: TestDatabase;
    let token = "";
    before(async () => {
      db = createTestDatabase(dialect);
      s = await startStoreServer({ url: db.url });
      const made = await s.app.inject({ method: "POST", url: "/directory/scim/token", headers: s.admin });
      assert.equal(made.statusCode, 201, made.body);
      token = made.json().token;
    });
    after(async () => {
      await s.close();
      await db.drop();
    });

    type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
    const scim = (method: Method, url: string, payload?: unknown, auth = `Bearer ${token}`) =>
      s.app.inject({
        method,
        url: `/scim/v2${url}`,
        headers: {
          ...(auth ? { authorization: auth } : {}),
          ...(payload === undefined ? {} : { "content-type": "application/scim+json" }),
        },
        ...(payload === undefined
          ? {}
          : { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }),
      });
    const scimError = (
      r: { statusCode: number; json(): Record<string, unknown>; headers: Record<string, unknown> },
      status: number,
      scimType?: string,
    ) => {
      assert.equal(r.statusCode, status, JSON.stringify(r.json()));
      assert.match(String(r.headers["content-type"]), /^application\/scim\+json/);
      const body = r.json();
      assert.deepEqual(body.schemas, [ERROR]);
      assert.equal(body.status, String(status));
      assert.equal(body.scimType, scimType);
      assert.match(String(body.detail), /^\(ERR_[A-Z_]+\) /);
    };
    const newUser = (userName: string, extra: Record<string, unknown> = {}) => ({
      schemas: [USER],
      userName,
      name: { familyName: "Jensen", givenName: "Barbara" },
      ...extra,
    });

    it("the token: shown once, stored hashed, needed, rotated, deleted", async () => {
      const shown = await s.app.inject({ method: "GET", url: "/directory/scim/token", headers: s.admin });
      assert.equal(shown.statusCode, 200);
      assert.equal(shown.json().token, undefined);
      assert.ok(token.startsWith(shown.json().hint));
      assert.match(shown.json().scimUrl, /\/scim\/v2$/);
      const stored = await s.store.federation.getScimToken(s.tenantId);
      assert.ok(stored);
      // The database has the SHA-256 only.
      assert.equal(await s.store.federation.findScimTokenByHash(token), undefined);

      scimError(await scim("GET", "/Users", undefined, ""), 401);
      scimError(await scim("GET", "/Users", undefined, "Bearer hpscim_wrong"), 401);
      scimError(
        await scim(
          "GET",
          "/Users",
          undefined,
          `Bearer ${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`,
        ),
        401,
      );
      const unauth = await scim("GET", "/Users", undefined, "");
      assert.match(String(unauth.headers["www-authenticate"]), /^Bearer/);
      // An API token is not a SCIM token, and a SCIM token is not an API token.
      scimError(await scim("GET", "/Users", undefined, s.admin.authorization), 401);
      const api = await s.app.inject({
        method: "GET",
        url: "/directory/users",
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(api.statusCode, 401);
      // Only administrators make tokens.
      const someone = await s.app.inject({
        method: "POST",
        url: "/directory/users",
        headers: s.admin,
        payload: { userPrincipalName: "nobody@contoso.example", displayName: "Nobody" },
      });
      const refused = await s.app.inject({
        method: "POST",
        url: "/directory/scim/token",
        headers: await s.as(someone.json().id),
      });
      assert.equal(refused.statusCode, 403);

      const rotated = await s.app.inject({ method: "POST", url: "/directory/scim/token", headers: s.admin });
      assert.equal(rotated.statusCode, 201);
      scimError(await scim("GET", "/Users"), 401);
      token = rotated.json().token;
      assert.equal((await scim("GET", "/Users")).statusCode, 200);
      // Discovery needs no token.
      const config = await scim("GET", "/ServiceProviderConfig", undefined, "");
      assert.equal(config.statusCode, 200);
      assert.equal(config.json().patch.supported, true);
    });

    it("RFC 7644 §3.3 create; the user is the directory's, with a Linux name from userName", async () => {
      const created = await scim(
        "POST",
        "/Users",
        newUser("bjensen@example.com", {
          externalId: "bjensen",
          emails: [{ value: "bjensen@example.com", type: "work", primary: true }],
        }),
      );
      assert.equal(created.statusCode, 201, created.body);
      assert.match(String(created.headers["content-type"]), /^application\/scim\+json/);
      const body = created.json();
      assert.equal(created.headers.location, body.meta.location);
      assert.match(body.meta.location, new RegExp(`/scim/v2/Users/${body.id}$`));
      assert.equal(body.userName, "bjensen@example.com");
      assert.equal(body.externalId, "bjensen");
      assert.equal(body.displayName, "Barbara Jensen");
      assert.equal(body.active, true);
      assert.equal(body[HOSTPASS].linuxName, "bjensen@example.com");
      assert.equal(body.emails[0].value, "bjensen@example.com");
      assert.equal(body.meta.resourceType, "User");
      const api = await s.app.inject({ method: "GET", url: `/directory/users/${body.id}`, headers: s.admin });
      assert.equal(api.json().userPrincipalName, "bjensen@example.com");
      assert.equal(api.json().linuxName, "bjensen@example.com");
      const got = await scim("GET", `/Users/${body.id}`);
      assert.deepEqual(got.json(), body);
    });

    it("same userName again, or a name another user has: 409 uniqueness, never merged", async () => {
      scimError(await scim("POST", "/Users", newUser("BJensen@Example.com")), 409, "uniqueness");
      const local = await s.app.inject({
        method: "POST",
        url: "/directory/users",
        headers: s.admin,
        payload: { userPrincipalName: "carol@contoso.example", displayName: "Carol", linuxName: "carol" },
      });
      assert.equal(local.statusCode, 201);
      scimError(
        await scim("POST", "/Users", newUser("carol@other.example", { [HOSTPASS]: { linuxName: "carol" } })),
        409,
        "uniqueness",
      );
      // A userName that gives no valid Linux name is refused, not shortened.
      const long = `${"a".repeat(40)}@example.com`;
      scimError(await scim("POST", "/Users", newUser(long)), 400, "invalidValue");
      const list = await scim("GET", `/Users?filter=${encodeURIComponent('userName sw "carol"')}`);
      assert.equal(list.json().totalResults, 1);
    });

    it("filter userName eq (case-insensitive), externalId eq (case-exact), pr, and/or, paging", async () => {
      const q = async (filter: string, extra = "") =>
        (await scim("GET", `/Users?filter=${encodeURIComponent(filter)}${extra}`)).json();
      const byName = await q('userName eq "BJENSEN@example.com"');
      assert.deepEqual(byName.schemas, ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
      assert.equal(byName.totalResults, 1);
      assert.equal(byName.Resources[0].userName, "bjensen@example.com");
      assert.equal((await q('externalId eq "bjensen"')).totalResults, 1);
      assert.equal((await q('externalId eq "BJENSEN"')).totalResults, 0);
      assert.equal((await q('userName eq "nobody@nowhere.example"')).totalResults, 0);
      assert.equal((await q('emails[type eq "work" and value co "@example.com"]')).totalResults, 1);
      assert.equal((await q('name.familyName eq "jensen" and active eq true')).totalResults, 1);
      assert.equal((await q('externalId pr or userName eq "carol@contoso.example"')).totalResults, 2);

      for (const n of [1, 2, 3, 4, 5])
        assert.equal((await scim("POST", "/Users", newUser(`pager${n}@example.com`))).statusCode, 201);
      const all = await q('userName sw "pager"');
      assert.equal(all.totalResults, 5);
      const page = await q('userName sw "pager"', "&startIndex=3&count=2");
      assert.equal(page.totalResults, 5);
      assert.equal(page.startIndex, 3);
      assert.equal(page.itemsPerPage, 2);
      assert.deepEqual(
        page.Resources.map((r: { id: string }) => r.id),
        all.Resources.slice(2, 4).map((r: { id: string }) => r.id),
      );
      const counted = await q('userName sw "pager"', "&count=0");
      assert.equal(counted.totalResults, 5);
      assert.equal(counted.Resources.length, 0);
      const projected = await q('userName eq "pager1@example.com"', "&attributes=userName");
      assert.deepEqual(Object.keys(projected.Resources[0]).sort(), ["id", "meta", "schemas", "userName"]);
    });

    it("filters that are not understood, and injection attempts: 400 invalidFilter, nothing leaks", async () => {
      for (const filter of [
        'userName eq "x" or 1 eq 1',
        "userName eq",
        'password eq "secret"',
        'userName eq "x") or (userName pr',
        "userName eq x",
        'userName zz "x"',
        "1=1; DROP TABLE principals; --",
      ]) {
        scimError(await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`), 400, "invalidFilter");
      }
      // A quote inside a string is data.
      const quoted = await scim(
        "GET",
        `/Users?filter=${encodeURIComponent('userName eq "x\\" or \\"1\\" eq \\"1"')}`,
      );
      assert.equal(quoted.statusCode, 200);
      assert.equal(quoted.json().totalResults, 0);
      scimError(await scim("GET", "/Users?startIndex=abc"), 400, "invalidValue");
    });

    it("malformed, oversized and wrong bodies: SCIM errors with the right status", async () => {
      scimError(await scim("POST", "/Users", "{not json"), 400, "invalidSyntax");
      scimError(await scim("POST", "/Users", '{"schemas":["x"],"schemas":["y"]}'), 400, "invalidSyntax");
      scimError(await scim("POST", "/Users", { userName: "no-schemas@example.com" }), 400, "invalidSyntax");
      scimError(await scim("POST", "/Users", { schemas: [USER] }), 400, "invalidValue");
      scimError(await scim("POST", "/Users", { schemas: [USER], userName: 42 }), 400, "invalidValue");
      scimError(
        await scim("POST", "/Users", newUser("pw@example.com", { password: "hunter2" })),
        400,
        "invalidValue",
      );
      scimError(
        await scim("POST", "/Users", newUser("act@example.com", { active: "maybe" })),
        400,
        "invalidValue",
      );
      scimError(await scim("POST", "/Users", [1, 2]), 400, "invalidSyntax");
      const big = JSON.stringify(newUser("big@example.com", { title: "x".repeat(2 * 1024 * 1024) }));
      scimError(await scim("POST", "/Users", big), 413);
      const xml = await s.app.inject({
        method: "POST",
        url: "/scim/v2/Users",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/xml" },
        payload: "<User/>",
      });
      scimError(xml, 415);
      scimError(await scim("GET", "/Users/not-a-uuid"), 404);
      scimError(await scim("GET", "/Nothing"), 404);
      const none = await scim("GET", `/Users?filter=${encodeURIComponent('userName sw "big"')}`);
      assert.equal(none.json().totalResults, 0);
    });

    it("immutable attributes: userName, id, the Linux name and uid cannot change (400 mutability)", async () => {
      const user = (await scim("POST", "/Users", newUser("fixed@example.com"))).json();
      const patch = (ops: unknown[]) =>
        scim("PATCH", `/Users/${user.id}`, { schemas: [PATCH], Operations: ops });
      scimError(
        await patch([{ op: "replace", path: "userName", value: "other@example.com" }]),
        400,
        "mutability",
      );
      scimError(
        await patch([{ op: "replace", path: "id", value: "00000000-0000-4000-8000-000000000000" }]),
        400,
        "mutability",
      );
      scimError(
        await patch([{ op: "replace", path: `${HOSTPASS}:linuxName`, value: "root" }]),
        400,
        "mutability",
      );
      scimError(
        await patch([{ op: "replace", value: { userName: "other@example.com" } }]),
        400,
        "mutability",
      );
      scimError(await patch([{ op: "remove", path: "meta" }]), 400, "mutability");
      scimError(await patch([{ op: "jump", path: "title", value: "x" }]), 400, "invalidSyntax");
      scimError(await scim("PATCH", `/Users/${user.id}`, { Operations: [] }), 400, "invalidSyntax");
      scimError(await scim("PUT", `/Users/${user.id}`, newUser("renamed@example.com")), 400, "mutability");
      const unchanged = (await scim("GET", `/Users/${user.id}`)).json();
      assert.equal(unchanged.userName, "fixed@example.com");
      assert.equal(unchanged.meta.version, user.meta.version);
    });

    it("PUT replaces, PATCH changes one attribute; the directory follows", async () => {
      const user = (await scim("POST", "/Users", newUser("dora@example.com", { title: "Engineer" }))).json();
      const put = await scim(
        "PUT",
        `/Users/${user.id}`,
        newUser("dora@example.com", { displayName: "Dora D" }),
      );
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().displayName, "Dora D");
      assert.equal(put.json().title, undefined);
      const patched = await scim("PATCH", `/Users/${user.id}`, {
        schemas: [PATCH],
        Operations: [
          { op: "add", path: "title", value: "Lead" },
          { op: "replace", path: "name.givenName", value: "Dorothea" },
        ],
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().title, "Lead");
      assert.equal(patched.json().name.givenName, "Dorothea");
      assert.equal(patched.json().meta.version, 'W/"3"');
      const api = await s.app.inject({ method: "GET", url: `/directory/users/${user.id}`, headers: s.admin });
      assert.equal(api.json().displayName, "Dora D");
    });

    it("RFC 7644 §3.5.2 deactivate: disabled in hostpass, sessions ended, certificates revoked, audited", async () => {
      const user = (await scim("POST", "/Users", newUser("eve@example.com"))).json();
      const certificate = validCertificateOf(s.tenantId, user.id, 771_001n);
      await s.store.certificates.record(certificate);
      // Entra ID sends the boolean as text.
      const off = await scim("PATCH", `/Users/${user.id}`, {
        schemas: [PATCH],
        Operations: [{ op: "Replace", path: "active", value: "False" }],
      });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().active, false);
      const api = (
        await s.app.inject({ method: "GET", url: `/directory/users/${user.id}`, headers: s.admin })
      ).json();
      assert.equal(api.accountEnabled, false);
      assert.ok(api.signInSessionsValidFromDateTime);
      assert.notEqual((await s.store.certificates.get(certificate.serial))?.revokedAt, undefined);
      const log = await s.app.inject({
        method: "GET",
        url: `/providers/Insights/eventtypes/management/values?target=${user.id}`,
        headers: s.admin,
      });
      const events = (log.json().value ?? []) as {
        actor: string;
        action: string;
        details: Record<string, unknown>;
      }[];
      const event = events.find(
        (e) => e.action === "Directory/scim/users/write" && e.details.active === false,
      );
      assert.ok(event, log.body);
      assert.match(event.actor, /^scim:/);
      assert.equal(event.details.certificatesRevoked, 1);
      // And back on: enabled again (old sessions stay void).
      const on = await scim("PATCH", `/Users/${user.id}`, {
        schemas: [PATCH],
        Operations: [{ op: "replace", value: { active: true } }],
      });
      assert.equal(on.json().active, true);
    });

    it("groups: create with members, PATCH add/remove members (RFC 7644 §3.5.2 and Entra's form), filter, delete", async () => {
      const a = (await scim("POST", "/Users", newUser("ga@example.com"))).json();
      const b = (await scim("POST", "/Users", newUser("gb@example.com"))).json();
      const c = (await scim("POST", "/Users", newUser("gc@example.com"))).json();
      const created = await scim("POST", "/Groups", {
        schemas: [GROUP],
        displayName: "Tour Guides",
        externalId: "tg",
        members: [{ value: a.id }],
      });
      assert.equal(created.statusCode, 201, created.body);
      const group = created.json();
      assert.deepEqual(
        group.members.map((m: { value: string }) => m.value),
        [a.id],
      );
      const patch = (ops: unknown[]) =>
        scim("PATCH", `/Groups/${group.id}`, { schemas: [PATCH], Operations: ops });
      const added = await patch([{ op: "add", path: "members", value: [{ value: b.id }, { value: c.id }] }]);
      assert.equal(added.statusCode, 200, added.body);
      assert.equal(added.json().members.length, 3);
      const removed = await patch([{ op: "remove", path: `members[value eq "${b.id}"]` }]);
      assert.equal(removed.statusCode, 200, removed.body);
      assert.deepEqual(
        removed
          .json()
          .members.map((m: { value: string }) => m.value)
          .sort(),
        [a.id, c.id].sort(),
      );
      const entra = await patch([{ op: "Remove", path: "members", value: [{ value: c.id }] }]);
      assert.equal(entra.statusCode, 200, entra.body);
      assert.deepEqual(
        entra.json().members.map((m: { value: string }) => m.value),
        [a.id],
      );
      // The API sees the same membership.
      const members = await s.app.inject({
        method: "GET",
        url: `/directory/groups/${group.id}/members`,
        headers: s.admin,
      });
      assert.deepEqual(
        members.json().value.map((m: { id: string }) => m.id),
        [a.id],
      );
      // A member that does not exist is refused and nothing changes.
      scimError(
        await patch([
          { op: "add", path: "members", value: [{ value: "00000000-0000-4000-8000-000000000000" }] },
        ]),
        400,
        "invalidValue",
      );
      scimError(await patch([{ op: "remove", path: 'members[value eq "x"' }]), 400, "invalidPath");
      const byName = await scim(
        "GET",
        `/Groups?filter=${encodeURIComponent('displayName eq "tour guides"')}&excludedAttributes=members`,
      );
      assert.equal(byName.json().totalResults, 1);
      assert.equal(byName.json().Resources[0].members, undefined);
      const withMember = await scim(
        "GET",
        `/Groups?filter=${encodeURIComponent(`members[value eq "${a.id}"]`)}`,
      );
      assert.equal(withMember.json().totalResults, 1);
      const renamed = await patch([{ op: "replace", path: "displayName", value: "Guides" }]);
      assert.equal(renamed.json().displayName, "Guides");
      assert.equal((await scim("DELETE", `/Groups/${group.id}`)).statusCode, 204);
      scimError(await scim("GET", `/Groups/${group.id}`), 404);
      // A user's id is not a group.
      scimError(await scim("GET", `/Groups/${a.id}`), 404);
    });

    it("DELETE a user: gone from hostpass, 404 after", async () => {
      const user = (await scim("POST", "/Users", newUser("gone@example.com"))).json();
      assert.equal((await scim("DELETE", `/Users/${user.id}`)).statusCode, 204);
      scimError(await scim("GET", `/Users/${user.id}`), 404);
      const api = await s.app.inject({ method: "GET", url: `/directory/users/${user.id}`, headers: s.admin });
      assert.equal(api.statusCode, 404);
      scimError(await scim("DELETE", `/Users/${user.id}`), 404);
    });

    it("the token deleted: SCIM refused", async () => {
      const del = await s.app.inject({ method: "DELETE", url: "/directory/scim/token", headers: s.admin });
      assert.equal(del.statusCode, 204);
      scimError(await scim("GET", "/Users"), 401);
      const shown = await s.app.inject({ method: "GET", url: "/directory/scim/token", headers: s.admin });
      assert.equal(shown.statusCode, 404);
    });
  });
