/**
 * An application's web redirect URIs through the real CLI (`hostpass ad sp update
 * --web-redirect-uris`, `ad sp show --query web.redirectUris`), against a real server: set, read
 * back, refused when not https (nothing changes), cleared.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";

describe("an application's redirect URIs through the CLI", () => {
  let s: CliServer;
  const json = async (args: string[]) => {
    const r = await s.cli(args);
    assert.equal(r.code, 0, `${args.join(" ")}\n${r.err}`);
    return JSON.parse(r.out);
  };
  before(async () => {
    s = await startCliServer();
    const login = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(login.code, 0, login.err);
  });
  after(() => s?.close());

  it("set, shown, refused when not https, cleared", async () => {
    const { appId } = await json(["ad", "sp", "create-for-rbac", "--name", "web-app"]);
    const uris = () => json(["ad", "sp", "show", "--id", appId, "--query", "web.redirectUris"]);
    assert.deepEqual(await uris(), []);
    const wanted = ["https://other.example/portal/signin/federated/x/callback", "http://127.0.0.1:8080/cb"];
    const set = await json(["ad", "sp", "update", "--id", appId, "--web-redirect-uris", ...wanted]);
    assert.equal(set.appId, appId);
    assert.deepEqual(set.web.redirectUris, wanted);
    assert.deepEqual(await uris(), wanted);

    const bad = await s.cli([
      "ad",
      "sp",
      "update",
      "--id",
      appId,
      "--web-redirect-uris",
      "http://app.example/cb",
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /ERR_FEDERATION_INVALID_REDIRECT_URI/);
    assert.deepEqual(await uris(), wanted, "nothing changed");
    const nothing = await s.cli(["ad", "sp", "update", "--id", appId]);
    assert.equal(nothing.code, 2, nothing.err);
    assert.match(nothing.err, /--web-redirect-uris/);

    assert.deepEqual(
      (await json(["ad", "sp", "update", "--id", appId, "--web-redirect-uris"])).web.redirectUris,
      [],
    );
    assert.deepEqual(await uris(), []);
  });
});
