/** The machine part of the SQL ResourceRepository: profiles, network interfaces, extensions. */
import type {
  AgentStatus,
  Extension,
  MachineProfile,
  MachineState,
  ProvisioningState,
  ResourceRepository,
} from "../../resources/index.ts";
import { recordChanges } from "../lib/change-log.ts";
import { changed, millis, type StoreContext, toDate, withTransaction } from "../lib/context.ts";
import type { Database } from "../schema.ts";

type MachineMethods = Pick<
  ResourceRepository,
  | "insertMachine"
  | "getMachineProfile"
  | "updateMachineProfile"
  | "replaceNetworkInterfaces"
  | "listNetworkInterfaces"
  | "findMachinesByIp"
  | "putExtension"
  | "listExtensions"
  | "deleteExtension"
>;

/** Machine-profile fields to column names; undefined fields are left alone. */
function profileColumns(
  p: Partial<MachineProfile>,
): Partial<Omit<Database["virtual_machines"], "resource_key">> {
  const out: Partial<Omit<Database["virtual_machines"], "resource_key">> = {};
  if (p.image !== undefined) out.image = p.image;
  if (p.adminUsername !== undefined) out.admin_username = p.adminUsername;
  if (p.size !== undefined) out.size = p.size;
  if ("identityPrincipalId" in p) out.identity_principal_id = p.identityPrincipalId ?? null;
  if (p.agentStatus !== undefined) out.agent_status = p.agentStatus;
  if ("lastHeartbeatAt" in p) out.last_heartbeat_at = p.lastHeartbeatAt ? millis(p.lastHeartbeatAt) : null;
  if (p.modelVersion !== undefined) out.model_version = p.modelVersion;
  if ("adminSshPublicKey" in p) out.admin_ssh_public_key = p.adminSshPublicKey ?? null;
  return out;
}

export function sqlMachineMethods(ctx: StoreContext): MachineMethods {
  const { db } = ctx;
  const methods: MachineMethods = {
    insertMachine(key, p) {
      return withTransaction(ctx, async (tx) => {
        await tx.db
          .insertInto("virtual_machines")
          .values({
            resource_key: key,
            image: p.image,
            admin_username: p.adminUsername,
            size: p.size,
            identity_principal_id: p.identityPrincipalId ?? null,
            agent_status: p.agentStatus,
            last_heartbeat_at: p.lastHeartbeatAt ? millis(p.lastHeartbeatAt) : null,
            model_version: p.modelVersion,
            admin_ssh_public_key: p.adminSshPublicKey ?? null,
          })
          .execute();
        await recordMachine(tx, key);
      });
    },
    async getMachineProfile(key) {
      const r = await db
        .selectFrom("virtual_machines")
        .selectAll()
        .where("resource_key", "=", key)
        .executeTakeFirst();
      return (
        r && {
          image: r.image,
          adminUsername: r.admin_username,
          size: r.size,
          identityPrincipalId: r.identity_principal_id ?? undefined,
          agentStatus: r.agent_status as AgentStatus,
          lastHeartbeatAt: r.last_heartbeat_at === null ? undefined : toDate(r.last_heartbeat_at),
          modelVersion: Number(r.model_version),
          ...(r.admin_ssh_public_key === null ? {} : { adminSshPublicKey: r.admin_ssh_public_key }),
        }
      );
    },
    async updateMachineProfile(key, patch) {
      const columns = profileColumns(patch);
      if (Object.keys(columns).length === 0) return (await methods.getMachineProfile(key)) !== undefined;
      // Heartbeats are not what a login depends on; the identity is, and so is the model an instance
      // runs (a scale set's login extension reaches it with the set's model): those are logged.
      if (!("identityPrincipalId" in patch) && !("modelVersion" in patch))
        return changed(await update(db, key, columns));
      return withTransaction(ctx, async (tx) => {
        if (!changed(await update(tx.db, key, columns))) return false;
        await recordMachine(tx, key);
        return true;
      });
    },
    async replaceNetworkInterfaces(key, nics) {
      await withTransaction(ctx, async (tx) => {
        await tx.db.deleteFrom("network_interfaces").where("resource_key", "=", key).execute();
        if (nics.length > 0)
          await tx.db
            .insertInto("network_interfaces")
            .values(
              nics.map((n, position) => ({
                resource_key: key,
                name: n.name,
                private_ip: n.privateIp ?? null,
                public_ip: n.publicIp ?? null,
                position,
              })),
            )
            .execute();
        await recordMachine(tx, key);
      });
    },
    async listNetworkInterfaces(key) {
      const rows = await db
        .selectFrom("network_interfaces")
        .selectAll()
        .where("resource_key", "=", key)
        .orderBy("position")
        .execute();
      return rows.map((n) => ({
        name: n.name,
        privateIp: n.private_ip ?? undefined,
        publicIp: n.public_ip ?? undefined,
      }));
    },
    async findMachinesByIp(ip) {
      const rows = await db
        .selectFrom("network_interfaces")
        .select("resource_key")
        .distinct()
        .where((eb) => eb.or([eb("private_ip", "=", ip), eb("public_ip", "=", ip)]))
        .orderBy("resource_key")
        .execute();
      return rows.map((r) => r.resource_key);
    },
    putExtension(key, e: Extension) {
      const values = {
        publisher: e.publisher,
        type: e.type,
        version: e.version,
        provisioning_state: e.provisioningState,
        settings: JSON.stringify(e.settings),
        updated_at: millis(e.updatedAt),
      };
      return withTransaction(ctx, async (tx) => {
        await tx.db
          .insertInto("vm_extensions")
          .values({ resource_key: key, name: e.name, ...values })
          .onConflict((oc) => oc.columns(["resource_key", "name"]).doUpdateSet(values))
          .execute();
        await recordMachine(tx, key);
      });
    },
    async listExtensions(key) {
      const rows = await db
        .selectFrom("vm_extensions")
        .selectAll()
        .where("resource_key", "=", key)
        .orderBy("name")
        .execute();
      return rows.map((e) => ({
        name: e.name,
        publisher: e.publisher,
        type: e.type,
        version: e.version,
        provisioningState: e.provisioning_state as ProvisioningState,
        settings: JSON.parse(e.settings) as Record<string, unknown>,
        updatedAt: toDate(e.updated_at),
      }));
    },
    deleteExtension(key, name) {
      return withTransaction(ctx, async (tx) => {
        const r = await tx.db
          .deleteFrom("vm_extensions")
          .where("resource_key", "=", key)
          .where("name", "=", name)
          .executeTakeFirst();
        if (!changed(r)) return false;
        await recordMachine(tx, key);
        return true;
      });
    },
  };
  return methods;
}

function update(db: StoreContext["db"], key: string, columns: ReturnType<typeof profileColumns>) {
  return db.updateTable("virtual_machines").set(columns).where("resource_key", "=", key).executeTakeFirst();
}

/** Records the machine's state (identity, addresses, extensions) as it is now in the transaction. */
export async function recordMachine(tx: StoreContext, key: string): Promise<void> {
  const row = await tx.db
    .selectFrom("virtual_machines as vm")
    .innerJoin("resources as r", "r.key", "vm.resource_key")
    .select(["r.tenant_id", "vm.identity_principal_id"])
    .where("vm.resource_key", "=", key)
    .executeTakeFirst();
  if (row === undefined) return;
  const nics = await tx.db
    .selectFrom("network_interfaces")
    .select(["private_ip", "public_ip"])
    .where("resource_key", "=", key)
    .orderBy("position")
    .execute();
  const extensions = await tx.db
    .selectFrom("vm_extensions")
    .select(["name", "type", "provisioning_state"])
    .where("resource_key", "=", key)
    .orderBy("name")
    .execute();
  const addresses = [
    ...nics.flatMap((n) => (n.private_ip ? [n.private_ip] : [])),
    ...nics.flatMap((n) => (n.public_ip ? [n.public_ip] : [])),
  ];
  const machine: MachineState = {
    key,
    ...(row.identity_principal_id ? { identityPrincipalId: row.identity_principal_id } : {}),
    addresses,
    extensions: extensions.map((e) => ({
      name: e.name,
      type: e.type,
      provisioningState: e.provisioning_state as ProvisioningState,
    })),
  };
  await recordChanges(tx, row.tenant_id, [{ kind: "machine.put", machine }]);
}
