/** Users on both dialects: uids, UPN variants, Linux names, passwords, races, pages. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  authenticateUser,
  createGroup,
  createServicePrincipal,
  createTenant,
  createUser,
  deleteUser,
  findUserByUpn,
  groupClosure,
  InvalidCredentialsError,
  InvalidLinuxNameError,
  LinuxNameTakenError,
  setUserEnabled,
  type Tenant,
  UpnTakenError,
} from "../../src/directory/index.ts";
import { InvalidPageError, type Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

for (const dialect of selectedDialects()) {
  describe(`directory users on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let tenant: Tenant;
    before(async () => {
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "contoso" });
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("allocates uids from 100000 and never reuses one after a delete", async () => {
      const a = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "uid-a@contoso.com",
        displayName: "A",
      });
      const b = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "uid-b@contoso.com",
        displayName: "B",
      });
      assert.ok(a.uid >= 100_000);
      assert.equal(b.uid, a.uid + 1);
      await deleteUser(store.directory, tenant.id, b.id);
      const again = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "uid-b@contoso.com",
        displayName: "B",
      });
      assert.notEqual(again.id, b.id, "a recreated user is a new object");
      assert.equal(again.uid, b.uid + 1, "the deleted user's uid is not handed out again");
    });

    it("maps UPN case and NFC/NFD variants to one user", async () => {
      const nfc = "Jos\u00e9@Contoso.com";
      const user = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: nfc,
        displayName: "José",
        linuxName: "jose@contoso.com",
      });
      assert.equal(user.upn, nfc);
      for (const variant of ["jos\u00e9@contoso.com", "JOSE\u0301@CONTOSO.COM", "Jose\u0301@contoso.com"]) {
        assert.equal((await findUserByUpn(store.directory, tenant.id, variant))?.id, user.id, variant);
        await assert.rejects(
          createUser(store.directory, {
            tenantId: tenant.id,
            upn: variant,
            displayName: "x",
            linuxName: "other@contoso.com",
          }),
          UpnTakenError,
        );
      }
      const alice = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "Alice@Contoso.com",
        displayName: "Alice",
      });
      assert.equal(alice.linuxName, "alice@contoso.com");
      await assert.rejects(
        createUser(store.directory, {
          tenantId: tenant.id,
          upn: "ALICE@contoso.COM",
          displayName: "Alice 2",
        }),
        UpnTakenError,
      );
    });

    it("refuses hostile Linux names and never takes over local accounts", async () => {
      const hostile = [
        "alice,root@contoso.com",
        "alice#x@contoso.com",
        "a\u202eb@contoso.com",
        "-rf@contoso.com",
        "1000@contoso.com",
        "averyveryverylongname.abcdefgh@contoso.com",
      ];
      for (const upn of hostile) {
        await assert.rejects(
          createUser(store.directory, { tenantId: tenant.id, upn, displayName: "x" }),
          (e: Error) =>
            ["ERR_DIRECTORY_INVALID_UPN", "ERR_DIRECTORY_INVALID_LINUX_NAME"].includes(
              (e as { code?: string }).code ?? "",
            ),
        );
      }
      for (const linuxName of ["root", "sshd", "sudo", "systemd-network", "..", "alice..b@contoso.com"]) {
        await assert.rejects(
          createUser(store.directory, {
            tenantId: tenant.id,
            upn: `ln-${linuxName.length}@contoso.com`,
            displayName: "x",
            linuxName,
          }),
          InvalidLinuxNameError,
        );
      }
      // Two UPNs that would only differ after truncation: the long one is refused, not shortened.
      const base = "abcdefghijklmnopqrstu@contoso.com"; // 33 characters
      await assert.rejects(
        createUser(store.directory, { tenantId: tenant.id, upn: base, displayName: "x" }),
        InvalidLinuxNameError,
      );
      const explicit = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: base,
        displayName: "x",
        linuxName: "abcdefghijklmnopqrstu",
      });
      await assert.rejects(
        createUser(store.directory, {
          tenantId: tenant.id,
          upn: "other-abc@contoso.com",
          displayName: "y",
          linuxName: explicit.linuxName,
        }),
        LinuxNameTakenError,
      );
    });

    it("stores SQL and shell metacharacters in names verbatim", async () => {
      const nasty = 'Robert\'); DROP TABLE principals;-- $(id) `id` *)(uid=*) "q" \\ %_';
      const group = await createGroup(store.directory, { tenantId: tenant.id, displayName: nasty });
      const back = await store.directory.getPrincipal(tenant.id, group.id);
      assert.equal(back?.displayName, nasty);
      const sp = await createServicePrincipal(store.directory, { tenantId: tenant.id, displayName: nasty });
      assert.match(sp.linuxName, /^sp-[a-z2-7]{26}$/, "derived from the app id, never the display name");
      const rows = await database.raw("select count(*) as n from principals where display_name = ?", [nasty]);
      assert.equal(Number(rows[0]?.n), 2);
    });

    it("signs users in with scrypt and refuses disabled users the same way", async () => {
      const user = await createUser(store.directory, {
        tenantId: tenant.id,
        upn: "pw@contoso.com",
        displayName: "PW",
        password: "correct horse battery staple",
      });
      assert.equal(
        (await authenticateUser(store.directory, tenant.id, "PW@contoso.com", "correct horse battery staple"))
          .id,
        user.id,
      );
      await assert.rejects(
        authenticateUser(store.directory, tenant.id, "pw@contoso.com", "wrong password!!"),
        InvalidCredentialsError,
      );
      await assert.rejects(
        authenticateUser(store.directory, tenant.id, "nobody@contoso.com", "whatever12345"),
        InvalidCredentialsError,
      );
      await setUserEnabled(store.directory, tenant.id, user.id, false);
      await assert.rejects(
        authenticateUser(store.directory, tenant.id, "pw@contoso.com", "correct horse battery staple"),
        InvalidCredentialsError,
      );
    });

    it("lets only one of several concurrent creations of one UPN win", async () => {
      const results = await Promise.allSettled(
        ["Race@Contoso.com", "RACE@contoso.com", "race@CONTOSO.com"].map((upn) =>
          createUser(store.directory, { tenantId: tenant.id, upn, displayName: "Race" }),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      // A cycle written around the domain check (by hand, in the database) still terminates.
      const [c, d] = await Promise.all(
        ["c", "d"].map((n) => createGroup(store.directory, { tenantId: tenant.id, displayName: n })),
      );
      if (!c || !d) throw new Error("groups");
      await store.directory.addGroupMember(tenant.id, c.id, d.id, new Date());
      await store.directory.addGroupMember(tenant.id, d.id, c.id, new Date());
      assert.deepEqual([...(await groupClosure(store.directory, tenant.id, c.id))], [d.id]);
      for (const r of results)
        if (r.status === "rejected") assert.ok(r.reason instanceof UpnTakenError, String(r.reason));
    });

    it("pages through principals with opaque cursors and refuses forged ones", async () => {
      const seen = new Set<string>();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.directory.listPrincipals(tenant.id, "user", {
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        for (const p of page.items) seen.add(p.id);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      const rows = await database.raw("select count(*) as n from users");
      assert.equal(seen.size, Number(rows[0]?.n));
      assert.ok(pages > 2);
      await assert.rejects(
        store.directory.listPrincipals(tenant.id, "user", { limit: 2, cursor: "'; --" }),
        InvalidPageError,
      );
      await assert.rejects(
        store.directory.listPrincipals(tenant.id, "user", { limit: 5000 }),
        InvalidPageError,
      );
    });
  });
}
