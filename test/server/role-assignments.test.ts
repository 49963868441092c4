import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { bearer, startTestServer, type TestServer, testWorld, user } from "./helpers.ts";

const OWNER = "00000000-0000-4000-8000-0000000000a1";
const CONTRIBUTOR = "00000000-0000-4000-8000-0000000000c1";
const BOB = "00000000-0000-4000-8000-0000000000b0";
const RG = "/subscriptions/sub1/resourceGroups/LinuxVMs";
const VM = `${RG}/providers/Compute/virtualMachines/myVM`;

describe("role assignments over HTTP", () => {
  const world = testWorld();
  let server: TestServer;
  let owner: Record<string, string>;
  let contributor: Record<string, string>;
  before(async () => {
    server = await startTestServer(world.services);
    await world.grant("Owner", OWNER, "/");
    await world.grant("Contributor", CONTRIBUTOR, "/");
    world.principals.set("bob@contoso.example", { id: BOB, type: "User" });
    world.principals.set(BOB, { id: BOB, type: "User" });
    owner = bearer(await server.token(user(OWNER)));
    contributor = bearer(await server.token(user(CONTRIBUTOR)));
  });
  after(() => server.close());

  const assign = (headers: Record<string, string>, scope: string, body: unknown, id = randomUUID()) =>
    server.app.inject({
      method: "PUT",
      url: `${scope}/providers/Authorization/roleAssignments/${id}`,
      headers,
      payload: body as object,
    });

  it("lets an Owner assign a login role on a VM by UPN, and logs it", async () => {
    const id = randomUUID();
    const body = { role: "Virtual Machine Administrator Login", assignee: "bob@contoso.example" };
    const response = await assign(owner, VM, body, id);
    assert.equal(response.statusCode, 201, response.body);
    const dto = response.json();
    assert.equal(dto.id, `${VM}/providers/Authorization/roleAssignments/${id}`);
    assert.equal(dto.principalId, BOB);
    assert.equal(dto.roleDefinitionName, "Virtual Machine Administrator Login");
    const record = world.audit.at(-1);
    assert.equal(record?.result, "success");
    assert.equal(record?.actor, OWNER);
    assert.equal(record?.target, dto.id);
    assert.equal(record?.action, "Authorization/roleAssignments/write");
  });

  it("refuses a Contributor (no roleAssignments/write) with 403, stores nothing, logs the refusal", async () => {
    const before = (await world.engine()).assignmentCount;
    const response = await assign(contributor, RG, { role: "Owner", assignee: BOB });
    assert.equal(response.statusCode, 403, response.body);
    assert.equal(response.json().error.code, "ERR_AUTHORIZATION_FAILED");
    assert.equal((await world.engine()).assignmentCount, before);
    assert.equal(world.audit.at(-1)?.result, "denied");
  });

  it("does not tell a caller without write access whether an assignee exists", async () => {
    const response = await assign(contributor, RG, { role: "Owner", assignee: "nobody@contoso.example" });
    assert.equal(response.statusCode, 403);
  });

  it("answers 404 for an unknown role or assignee, and 409 for a duplicate", async () => {
    assert.equal((await assign(owner, RG, { role: "No Such Role", assignee: BOB })).statusCode, 404);
    assert.equal((await assign(owner, RG, { role: "Reader", assignee: "ghost@x" })).statusCode, 404);
    assert.equal((await assign(owner, RG, { role: "Reader", assignee: BOB })).statusCode, 201);
    const again = await assign(owner, RG, { role: "Reader", assignee: BOB });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, "ERR_RBAC_ASSIGNMENT_EXISTS");
  });

  it("pages through a list with top and nextLink, and refuses a forged skipToken", async () => {
    const scope = "/subscriptions/sub1/resourceGroups/paged";
    const roles = [
      "Reader",
      "Contributor",
      "Virtual Machine User Login",
      "Virtual Machine Contributor",
      "Owner",
    ];
    for (const role of roles)
      assert.equal((await assign(owner, scope, { role, assignee: BOB })).statusCode, 201);
    const seen: string[] = [];
    let url: string | undefined = `${scope}/providers/Authorization/roleAssignments?top=2`;
    let pages = 0;
    while (url !== undefined) {
      const response: { statusCode: number; body: string; json(): { value: []; nextLink?: string } } =
        await server.app.inject({ method: "GET", url, headers: owner });
      assert.equal(response.statusCode, 200, response.body);
      const page = response.json();
      assert.ok(page.value.length <= 2);
      seen.push(...page.value.map((a: { roleDefinitionName: string }) => a.roleDefinitionName));
      url = page.nextLink;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), [...roles].sort());
    const forged = await server.app.inject({
      method: "GET",
      url: `${scope}/providers/Authorization/roleAssignments?skipToken=${Buffer.from("x").toString("base64url")}x`,
      headers: owner,
    });
    assert.equal(forged.statusCode, 400);
    const tooBig = await server.app.inject({
      method: "GET",
      url: `${scope}/providers/Authorization/roleAssignments?top=5000`,
      headers: owner,
    });
    assert.equal(tooBig.json().error.code, "ERR_VALIDATION");
  });

  it("deletes only through the scope the assignment was made at, and the grant is gone at once", async () => {
    const carol = "00000000-0000-4000-8000-0000000000ca";
    world.principals.set(carol, { id: carol, type: "User" });
    const id = randomUUID();
    assert.equal(
      (await assign(owner, VM, { role: "Virtual Machine User Login", assignee: carol }, id)).statusCode,
      201,
    );
    const carolToken = bearer(await server.token(user(carol)));
    const canLogin = async () => {
      const payload = { action: "Compute/virtualMachines/login/action" };
      const url = `${VM}/providers/Authorization/checkAccess`;
      return (await server.app.inject({ method: "POST", url, headers: carolToken, payload })).json().allowed;
    };
    assert.equal(await canLogin(), true);
    const wrong = await server.app.inject({
      method: "DELETE",
      url: `${RG}/providers/Authorization/roleAssignments/${id}`,
      headers: owner,
    });
    assert.equal(wrong.statusCode, 404);
    assert.equal(await canLogin(), true);
    const right = await server.app.inject({
      method: "DELETE",
      url: `${VM}/providers/Authorization/roleAssignments/${id}`,
      headers: owner,
    });
    assert.equal(right.statusCode, 200, right.body);
    assert.equal(await canLogin(), false);
    assert.equal(world.audit.at(-1)?.action, "Authorization/roleAssignments/delete");
  });

  it("explains an access check, and needs read access to ask about someone else", async () => {
    const response = await server.app.inject({
      method: "POST",
      url: `${VM}/providers/Authorization/checkAccess`,
      headers: owner,
      payload: { action: "Compute/virtualMachines/login/action", assignee: "bob@contoso.example" },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().allowed, true);
    assert.match(response.json().reason, /Virtual Machine Administrator Login/);
    const ownerLogin = await server.app.inject({
      method: "POST",
      url: `${VM}/providers/Authorization/checkAccess`,
      headers: owner,
      payload: { action: "Compute/virtualMachines/login/action" },
    });
    assert.equal(ownerLogin.json().allowed, false, "Owner alone never grants login");
    const bob = bearer(await server.token(user(BOB)));
    const nosy = await server.app.inject({
      method: "POST",
      url: "/subscriptions/sub2/providers/Authorization/checkAccess",
      headers: bob,
      payload: { action: "Compute/virtualMachines/write", assignee: "bob@contoso.example" },
    });
    assert.equal(nosy.statusCode, 403, "bob cannot read role assignments on sub2");
  });
});
