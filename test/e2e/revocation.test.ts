/**
 * Revoking a user's sign-in sessions end to end (issue 11 item 4): the real CLI against a real
 * `hostpass server`, sign-ins in Debian's Chromium. An administrator runs
 * `hostpass ad user revoke-sign-in-sessions`; the user's cached sign-in stops working at once
 * (`ssh cert` says to sign in again), the certificate it had is revoked in the ledger, and a new
 * sign-in works again.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createUser, type User } from "../../src/directory/index.ts";
import type { RunningServer } from "../../src/server/index.ts";
import { parseCertificateText } from "../../src/ssh/index.ts";
import {
  ADMIN_PASSWORD,
  ADMIN_UPN,
  type CliServer,
  type CliUser,
  startCliServer,
} from "../helpers/cli-server.ts";

describe("revoke-sign-in-sessions end to end", () => {
  let s: CliServer;
  let running: RunningServer;
  let alicesCli: CliUser;
  let alice: User;

  /** The real CLI as the administrator (the server's first CLI user) or as alice (her own HOME). */
  const person = (who: "admin" | "alice") => (who === "admin" ? s : alicesCli);
  const cli = (who: "admin" | "alice", args: string[]) => person(who).cli(args);
  const login = (who: "admin" | "alice", upn: string, password: string) => person(who).signIn(upn, password);
  const certificate = async (who: "admin" | "alice", name: string) => {
    const file = join(person(who).home, `${name}-cert.pub`);
    const run = await cli(who, ["ssh", "cert", "--file", file]);
    return { run, file };
  };

  before(async () => {
    s = await startCliServer();
    running = s.running;
    alice = await createUser(running.store.directory, {
      tenantId: running.bootstrap.tenant.id,
      upn: "alice@hostpass.local",
      displayName: "Alice",
      password: "alices password 1",
    });
    alicesCli = await s.user();
    assert.equal((await login("alice", alice.upn, "alices password 1")).code, 0);
    assert.equal((await login("admin", ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
  });

  after(() => s?.close());

  it("ends the user's sign-in and certificate; a new sign-in works", async () => {
    const first = await certificate("alice", "first");
    assert.equal(first.run.code, 0, first.run.err);
    const serial = parseCertificateText(await readFile(first.file, "utf8")).serial;
    assert.equal((await running.store.certificates.get(serial))?.revokedAt, undefined);

    const revoked = await cli("admin", ["ad", "user", "revoke-sign-in-sessions", "--id", alice.upn, "--yes"]);
    assert.equal(revoked.code, 0, revoked.err);
    const answer = JSON.parse(revoked.out) as Record<string, unknown>;
    assert.equal(answer.value, true);
    assert.equal(answer.certificatesRevoked, 1);
    const record = await running.store.certificates.get(serial);
    assert.notEqual(record?.revokedAt, undefined, "the certificate alice held is revoked");
    const krl = await running.store.certificates.revocations(new Date());
    assert.ok(krl.serials.includes(serial), "and goes into the KRL hosts get");

    const refused = await certificate("alice", "refused");
    assert.equal(refused.run.code, 4, refused.run.out + refused.run.err);
    assert.match(refused.run.err, /hostpass login/);

    // Token times are whole seconds: a sign-in in the second of the revocation would be void too.
    const validFrom = Date.parse(String(answer.signInSessionsValidFromDateTime));
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Math.floor(validFrom / 1000) * 1000 + 1005 - Date.now())),
    );
    assert.equal((await login("alice", alice.upn, "alices password 1")).code, 0);
    const again = await certificate("alice", "again");
    assert.equal(again.run.code, 0, again.run.err);
  });

  it("is refused to a user without the permission (exit 5), and changes nothing", async () => {
    const before = (
      await running.store.directory.getPrincipal(running.bootstrap.tenant.id, running.bootstrap.adminId)
    )?.sessionsValidFrom;
    const denied = await cli("alice", [
      "ad",
      "user",
      "revoke-sign-in-sessions",
      "--id",
      "admin@hostpass.local",
      "--yes",
    ]);
    assert.equal(denied.code, 5, denied.out + denied.err);
    assert.match(denied.err, /ERR_AUTHORIZATION_FAILED/);
    const afterwards = (
      await running.store.directory.getPrincipal(running.bootstrap.tenant.id, running.bootstrap.adminId)
    )?.sessionsValidFrom;
    assert.equal(afterwards, before);
  });
});
