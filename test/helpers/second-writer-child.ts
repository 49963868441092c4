/**
 * The child process of second-writer.ts: opens the store at argv[2] with its own connection and
 * makes the changes it is sent (one JSON command a line on stdin), answering each after commit.
 */
import { createInterface } from "node:readline";
import { addGroupMember, removeGroupMember } from "../../src/directory/index.ts";
import type { RoleAssignment } from "../../src/rbac/index.ts";
import { moveUnderManagementGroup } from "../../src/resources/index.ts";
import { openStore } from "../../src/store/index.ts";

export type WriterCommand =
  | { readonly op: "assign"; readonly assignment: RoleAssignment }
  | { readonly op: "unassign"; readonly tenantId: string; readonly id: string }
  | {
      readonly op: "addMember";
      readonly tenantId: string;
      readonly groupId: string;
      readonly memberId: string;
    }
  | {
      readonly op: "removeMember";
      readonly tenantId: string;
      readonly groupId: string;
      readonly memberId: string;
    }
  | { readonly op: "move"; readonly id: string; readonly managementGroup: string };

// Only ever run as a script (second-writer.ts imports its types only).
const store = await openStore({ url: process.argv[2] as string });
const run = async (c: WriterCommand): Promise<unknown> => {
  if (c.op === "assign") return store.rbac.createRoleAssignment(c.assignment);
  if (c.op === "unassign") return store.rbac.deleteRoleAssignment(c.tenantId, c.id);
  if (c.op === "addMember") return addGroupMember(store.directory, c);
  if (c.op === "removeMember") return removeGroupMember(store.directory, c);
  return moveUnderManagementGroup(store.resources, c.id, c.managementGroup);
};
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  try {
    const value = await run(JSON.parse(line) as WriterCommand);
    process.stdout.write(`${JSON.stringify({ ok: true, value: value ?? null })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: String(error) })}\n`);
  }
}
await store.close();
