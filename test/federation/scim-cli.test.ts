/**
 * SCIM through a real `hostpass server` over HTTPS: the administrator makes the token with the
 * real CLI (signed in through the portal in Chromium), a SCIM client provisions a user and a
 * group with it, the CLI sees them, and a rotated token refuses the old one.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { request } from "node:https";
import { after, before, describe, it } from "node:test";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";

describe("SCIM token through the CLI, SCIM over HTTPS", () => {
  let s: CliServer;
  let ca = "";
  const json = async (args: string[]) => {
    const r = await s.cli(args);
    assert.equal(r.code, 0, `${args.join(" ")}\n${r.err}`);
    return r.out.trim() === "" ? undefined : JSON.parse(r.out);
  };
  /** One SCIM request with Node's https (the server's own CA). */
  const scim = (method: string, url: string, token: string, body?: unknown) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        url,
        {
          method,
          ca,
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload ? { "content-type": "application/scim+json" } : {}),
          },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });

  before(async () => {
    s = await startCliServer();
    ca = await readFile(s.caFile, "utf8");
    const login = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
    assert.equal(login.code, 0, login.err);
  });
  after(() => s?.close());

  it("token create → SCIM provisions → the CLI sees it; rotation refuses the old token", async () => {
    const made = await json(["scim", "token", "create"]);
    assert.equal(made.scimUrl, `${s.running.url}/scim/v2`);
    const user = await scim("POST", `${made.scimUrl}/Users`, made.token, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "frank@example.org",
      displayName: "Frank",
      externalId: "00u1",
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const group = await scim("POST", `${made.scimUrl}/Groups`, made.token, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Linux Admins",
      members: [{ value: user.body.id }],
    });
    assert.equal(group.status, 201, JSON.stringify(group.body));
    const shown = await json(["ad", "user", "show", "--id", "frank@example.org"]);
    assert.equal(shown.id, user.body.id);
    const members = await json(["ad", "group", "member", "list", "-g", "Linux Admins"]);
    assert.deepEqual(
      members.map((m: { id: string }) => m.id),
      [user.body.id],
    );
    const info = await json(["scim", "token", "show"]);
    assert.equal(info.id, made.id);
    assert.equal(info.token, undefined);

    const rotated = await json(["scim", "token", "create"]);
    assert.equal((await scim("GET", `${made.scimUrl}/Users`, made.token)).status, 401);
    const list = await scim(
      "GET",
      `${made.scimUrl}/Users?filter=${encodeURIComponent('userName eq "Frank@Example.org"')}`,
      rotated.token,
    );
    assert.equal(list.status, 200);
    assert.equal(list.body.totalResults, 1);
    // Trial finding: it deleted without asking. Without a terminal it refuses; the token still works.
    const unconfirmed = await s.cli(["scim", "token", "delete"]);
    assert.equal(unconfirmed.code, 2, unconfirmed.err);
    assert.match(unconfirmed.err, /ERR_CLI_CONFIRMATION_REQUIRED/);
    assert.equal((await scim("GET", `${made.scimUrl}/Users`, rotated.token)).status, 200);
    assert.equal((await s.cli(["scim", "token", "delete", "--yes"])).code, 0);
    assert.equal((await scim("GET", `${made.scimUrl}/Users`, rotated.token)).status, 401);
  });
});
