/** The RBAC repository contract on both dialects: rows, conflicts, the version counter and change feed. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createTenant, type Tenant } from "../../src/directory/index.ts";
import {
  isRbacChange,
  type RoleAssignment,
  RoleAssignmentExistsError,
  type RoleDefinition,
  RoleDefinitionConflictError,
} from "../../src/rbac/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const SCOPE = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/RG1";

for (const dialect of selectedDialects()) {
  describe(`rbac repository on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    let tenant: Tenant;
    const assignment = (over: Partial<RoleAssignment> = {}): RoleAssignment => ({
      id: randomUUID(),
      tenantId: tenant.id,
      roleDefinitionId: "1c0163c0-47e6-4577-8991-ea5c82e286e4",
      principalId: randomUUID(),
      principalType: "User",
      scope: SCOPE,
      createdAt: "2026-06-01T00:00:00.000Z",
      createdBy: "admin",
      description: "it's; DROP TABLE role_assignments --",
      ...over,
    });
    const definition = (over: Partial<RoleDefinition> = {}): RoleDefinition => ({
      id: randomUUID(),
      tenantId: tenant.id,
      name: "Login Operators",
      description: "custom",
      builtIn: false,
      permissions: {
        actions: [],
        notActions: [],
        dataActions: ["Compute/virtualMachines/*"],
        notDataActions: ["Compute/virtualMachines/loginAsAdmin/action"],
      },
      assignableScopes: [SCOPE],
      createdAt: "2026-06-01T00:00:00.000Z",
      updatedAt: "2026-06-01T00:00:00.000Z",
      createdBy: "admin",
      ...over,
    });
    before(async () => {
      store = await database.open();
      tenant = await createTenant(store.directory, { name: "tailspin" });
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("records one change per write with a gapless version", async () => {
      const def = definition();
      assert.equal(await store.rbac.putRoleDefinition(def), 1);
      const a = assignment({ roleDefinitionId: def.id });
      assert.equal(await store.rbac.createRoleAssignment(a), 2);
      assert.deepEqual(await store.rbac.getRoleAssignment(tenant.id, a.id), a);
      assert.deepEqual(await store.rbac.getRoleDefinition(tenant.id, def.id), def);
      assert.equal(await store.rbac.deleteRoleAssignment(tenant.id, a.id), 3);
      assert.equal(await store.rbac.deleteRoleAssignment(tenant.id, a.id), undefined);
      const changes = await store.rbac.changesSince(tenant.id, 0, 100);
      assert.deepEqual(
        changes.map((c) => [c.version, c.kind]),
        [
          [1, "definition.put"],
          [2, "assignment.created"],
          [3, "assignment.deleted"],
        ],
      );
      assert.deepEqual(
        (await store.rbac.changesSince(tenant.id, 2, 100)).map((c) => c.version),
        [3],
      );
    });

    it("refuses a duplicate assignment and a duplicate role name, changing nothing", async () => {
      const a = assignment();
      await store.rbac.createRoleAssignment(a);
      await assert.rejects(store.rbac.createRoleAssignment(a), RoleAssignmentExistsError);
      await assert.rejects(
        store.rbac.createRoleAssignment({ ...a, id: randomUUID(), scope: SCOPE.toLowerCase() }),
        RoleAssignmentExistsError,
        "same role, principal and scope (case-insensitively)",
      );
      const before = (await store.rbac.snapshot(tenant.id)).version;
      await store.rbac.putRoleDefinition(definition({ name: "Unique Name" }));
      await assert.rejects(
        store.rbac.putRoleDefinition(definition({ name: "unique name" })),
        RoleDefinitionConflictError,
      );
      assert.equal((await store.rbac.snapshot(tenant.id)).version, before + 1);
    });

    it("writes many assignments in one call: every row and one change each, in order, or none", async () => {
      // a tenant of its own (the next test counts the first tenant's rows)
      const other = await createTenant(store.directory, { name: "bulk" });
      const tenantId = other.id;
      const head = (await store.rbac.snapshot(tenantId)).version;
      // more than one statement's worth (1,000 rows a statement)
      const many = Array.from({ length: 2345 }, (_, i) =>
        assignment({ tenantId, scope: `${SCOPE}/bulk${i}` }),
      );
      assert.equal(await store.rbac.createRoleAssignments(tenantId, many), head + many.length);
      const changes = await store.rbac.changesSince(tenantId, head, 10_000);
      assert.deepEqual(
        changes.map((c) => c.version),
        many.map((_, i) => head + 1 + i),
      );
      assert.deepEqual(
        changes.map((c) => (isRbacChange(c) && c.kind === "assignment.created" ? c.assignment : undefined)),
        many,
      );
      assert.deepEqual(
        await store.rbac.getRoleAssignment(tenantId, (many[2000] as RoleAssignment).id),
        many[2000],
      );
      // one duplicate (of a row written before, in the last statement) refuses the whole call
      const again = [
        ...Array.from({ length: 1500 }, (_, i) => assignment({ tenantId, scope: `${SCOPE}/again${i}` })),
        many[7] as RoleAssignment,
      ];
      await assert.rejects(store.rbac.createRoleAssignments(tenantId, again), RoleAssignmentExistsError);
      assert.equal((await store.rbac.snapshot(tenantId)).version, head + many.length);
      assert.equal(await store.rbac.getRoleAssignment(tenantId, (again[0] as RoleAssignment).id), undefined);
      assert.equal(await store.rbac.createRoleAssignments(tenantId, []), head + many.length);
      await assert.rejects(
        store.rbac.createRoleAssignments(tenantId, [assignment({ tenantId: randomUUID() })]),
        TypeError,
      );
    });

    it("streams a snapshot and lists with filters and pages", async () => {
      const principalId = randomUUID();
      for (let i = 0; i < 7; i++)
        await store.rbac.createRoleAssignment(assignment({ principalId, scope: `${SCOPE}${i}` }));
      const snapshot = await store.rbac.snapshot(tenant.id);
      let n = 0;
      for await (const _ of snapshot.assignments) n++;
      assert.equal(n, 8);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.rbac.listRoleAssignments(
          tenant.id,
          { principalId },
          { limit: 3, ...(cursor ? { cursor } : {}) },
        );
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(new Set(seen).size, 7);
      const byScope = await store.rbac.listRoleAssignments(
        tenant.id,
        { scope: `${SCOPE}1`.toUpperCase() },
        { limit: 10 },
      );
      assert.equal(byScope.items.length, 1, "rg1 and rg10 are different scopes; case does not matter");
    });
  });
}
