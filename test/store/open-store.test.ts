/** Opening stores: URLs, migrations on open (idempotent, versioned), SQLite file settings. */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { describe, it } from "node:test";
import { createTenant, FIRST_UID } from "../../src/directory/index.ts";
import {
  openStore,
  StoreInUseError,
  StoreUnavailableError,
  StoreUrlError,
  StoreVersionError,
} from "../../src/store/index.ts";
import { MIGRATIONS } from "../../src/store/migrations/index.ts";
import { createTestDatabase, PG_URL, selectedDialects } from "./dialects.ts";

const ALL_MIGRATIONS = Object.keys(MIGRATIONS);
const STORE_MODULE = new URL("../../src/store/index.ts", import.meta.url).href;

/** Opens the store in a separate Node process (as a second server replica would) and returns its output. */
function openInChild(url: string): Promise<string> {
  const script = `import { openStore } from ${JSON.stringify(STORE_MODULE)};
const store = await openStore({ url: process.argv[1] });
console.log(JSON.stringify(await store.appliedMigrations()));
await store.close();`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script, url],
      { timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

for (const dialect of selectedDialects()) {
  describe(`opening a ${dialect} store`, () => {
    it("migrates on first open and is idempotent on reopen", async () => {
      const database = createTestDatabase(dialect);
      try {
        const first = await database.open();
        const tenant = await createTenant(first.directory, { name: "reopen" });
        assert.deepEqual(await first.appliedMigrations(), ALL_MIGRATIONS);
        await first.close();
        for (let i = 0; i < 2; i++) {
          const again = await database.open();
          assert.deepEqual(await again.appliedMigrations(), ALL_MIGRATIONS);
          assert.equal((await again.directory.getTenant(tenant.id))?.name, "reopen");
          assert.equal(
            await again.directory.allocateUid(tenant.id),
            FIRST_UID + i,
            "the uid counter survives reopening",
          );
          await again.close();
        }
      } finally {
        await database.drop();
      }
    });

    it("lets concurrent processes migrate a fresh database exactly once", async () => {
      const database = createTestDatabase(dialect);
      try {
        const outputs = await Promise.all([1, 2, 3].map(() => openInChild(database.url)));
        for (const out of outputs) assert.deepEqual(JSON.parse(out), ALL_MIGRATIONS);
      } finally {
        await database.drop();
      }
    });

    it("refuses a database migrated by a newer hostpass", async () => {
      const database = createTestDatabase(dialect);
      try {
        await (await database.open()).close();
        await database.raw("insert into kysely_migration (name, timestamp) values (?, ?)", [
          "9999-future",
          "2030-01-01T00:00:00.000Z",
        ]);
        await assert.rejects(database.open(), StoreVersionError);
      } finally {
        await database.drop();
      }
    });

    it("enforces foreign keys", async () => {
      const database = createTestDatabase(dialect);
      const store = await database.open();
      try {
        const tenant = await createTenant(store.directory, { name: "fk-check" });
        await assert.rejects(
          store.directory.addGroupMember(tenant.id, "no-such-group", "no-such-member", new Date()),
        );
        const rows = await database.raw("select count(*) as n from group_members");
        assert.equal(Number(rows[0]?.n), 0);
      } finally {
        await store.close();
        await database.drop();
      }
    });
  });
}

describe("store URLs", () => {
  it("refuses to open one SQLite file twice in a process, and allows it again after close", async () => {
    const database = createTestDatabase("sqlite");
    try {
      const first = await database.open();
      await assert.rejects(database.open(), StoreInUseError);
      await first.close();
      await (await database.open()).close();
    } finally {
      await database.drop();
    }
  });

  it("refuses unknown schemes, bad schema names and empty paths", async () => {
    for (const url of ["", "mysql://x", "sqlite:", "sqlite:/tmp/x.db?mode=ro", `${PG_URL}?schema=Bad-Name`]) {
      await assert.rejects(openStore({ url }), StoreUrlError, url);
    }
  });

  it("reports an unreachable PostgreSQL as unavailable", async () => {
    await assert.rejects(openStore({ url: "postgres://postgres@127.0.0.1:1/test" }), StoreUnavailableError);
  });

  it("keeps the SQLite file private and in WAL mode", async () => {
    const database = createTestDatabase("sqlite");
    const store = await database.open();
    try {
      await createTenant(store.directory, { name: "walmode" });
      const file = database.url.slice("sqlite:".length);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const rows = await database.raw("pragma journal_mode");
      assert.equal(rows[0]?.journal_mode, "wal");
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
