import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { POSTGRES_PROFILE, SQLITE_PROFILE } from "../dialect-profile.ts";
import { StoreFullError, StoreUnavailableError } from "../errors.ts";
import { storeFailure } from "./store-failures.ts";

const sqlite = (errcode: number) => Object.assign(new Error("sqlite"), { code: "ERR_SQLITE_ERROR", errcode });
const pg = (code: string | undefined, message = "pg") =>
  Object.assign(new Error(message), code ? { code } : {});

describe("storeFailure", () => {
  it("names a full disk ERR_STORE_FULL on both dialects", () => {
    assert.ok(storeFailure(SQLITE_PROFILE, sqlite(13)) instanceof StoreFullError);
    assert.ok(storeFailure(POSTGRES_PROFILE, pg("53100")) instanceof StoreFullError);
  });

  it("names an unreachable, restarting or lost database ERR_STORE_UNAVAILABLE", () => {
    for (const e of [
      pg("ECONNREFUSED"),
      pg("ECONNRESET"),
      pg("57P01"),
      pg("57P03"),
      pg("08006"),
      pg(undefined, "Connection terminated unexpectedly"),
      pg(undefined, "Client has encountered a connection error and is not queryable"),
    ])
      assert.ok(storeFailure(POSTGRES_PROFILE, e) instanceof StoreUnavailableError, e.message);
    // SQLITE_IOERR and its extended codes (SQLITE_IOERR_WRITE = 778, _FSYNC = 1034).
    for (const code of [10, 778, 1034])
      assert.ok(storeFailure(SQLITE_PROFILE, sqlite(code)) instanceof StoreUnavailableError);
  });

  it("leaves every other failure as it is (constraints, busy, serialisation, bugs)", () => {
    for (const code of [2067, 1555, 787, 5, 6, 1])
      assert.equal(storeFailure(SQLITE_PROFILE, sqlite(code)), undefined);
    for (const code of ["23505", "23503", "40001", "40P01", "42P01"])
      assert.equal(storeFailure(POSTGRES_PROFILE, pg(code)), undefined);
    assert.equal(storeFailure(POSTGRES_PROFILE, new TypeError("bug")), undefined);
    // A SQLite code on PostgreSQL's profile (and the reverse) means nothing.
    assert.equal(storeFailure(POSTGRES_PROFILE, sqlite(13)), undefined);
    assert.equal(storeFailure(SQLITE_PROFILE, pg("53100")), undefined);
  });
});
