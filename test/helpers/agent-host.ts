/**
 * A real `hostpass server` and a real `hostpass-agent` joined to it inside a local machine
 * (src/localvm), for the host-channel end-to-end test and the `revoke` benchmark: the server
 * listens on the machine network's gateway; `vm create` answers the one-line join command, which
 * runs in the machine as is (the service's TLS pinned by fingerprint); the agent then runs as the
 * machine's service. Certificates come from the server's own user CA.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { activeCaKey, openCaSigner } from "../../src/ca/index.ts";
import { createUser, type User } from "../../src/directory/index.ts";
import { type LocalMachine, writeMachineService } from "../../src/localvm/index.ts";
import { BUILT_IN_ROLE_IDS, type RoleAssignment } from "../../src/rbac/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { loadOrCreateKek } from "../../src/server/keys/kek.ts";
import { formatCertificate, formatPrivateKey, type Signer, signCertificate } from "../../src/ssh/index.ts";
import { type ApiCall, servicePrincipalApi } from "./api-client.ts";
import { type MachineLab, openMachineLab } from "./local-machines.ts";
import { type CommandResult, makeTempDir, removeDir, sshLogin, writeSecret } from "./openssh.ts";
import { nowSeconds, testKeyPair } from "./ssh-fixtures.ts";

const REPO = join(import.meta.dirname, "../..");

export interface JoinedHost {
  readonly running: RunningServer;
  readonly api: ApiCall;
  readonly machine: LocalMachine;
  readonly tenantId: string;
  readonly resourceGroup: string;
  readonly vm: string;
  /** A directory user (UPN `<name>@contoso.example`). */
  user(name: string): Promise<User>;
  /** Assigns a role to a principal at a scope through the API; answers the assignment's id. */
  assign(role: string, principalId: string, scope: string): Promise<string>;
  /** An ssh login to the machine as `u` with a fresh certificate from the server's CA. */
  login(u: User, command?: string): Promise<CommandResult>;
  /** The agent's log (for failures). */
  agentLog(): Promise<string>;
  close(): Promise<void>;
}

/** Assignments per transaction when seeding (the store writes them 1,000 rows a statement). */
const SEED_TRANSACTION = 25_000;

/**
 * The benchmark's large tenant, through the store's bulk write: the rows and their change-log
 * entries (`assignment.created`, consecutive versions), as if each had been created through the
 * API, without one HTTP call and one transaction per assignment. No activity-log events.
 */
export async function seedAssignments(
  running: RunningServer,
  count: number,
  progress?: (done: number) => void,
): Promise<void> {
  const tenantId = running.bootstrap.tenant.id;
  const sub = `/subscriptions/${running.bootstrap.subscriptionId}`;
  const createdAt = new Date().toISOString();
  for (let done = 0; done < count; done += SEED_TRANSACTION) {
    const rows: RoleAssignment[] = [];
    for (let i = done; i < Math.min(count, done + SEED_TRANSACTION); i++) {
      const login = i % 100 === 0;
      rows.push({
        id: randomUUID(),
        tenantId,
        roleDefinitionId: login ? BUILT_IN_ROLE_IDS.virtualMachineUserLogin : BUILT_IN_ROLE_IDS.reader,
        principalId: randomUUID(),
        principalType: "User",
        scope: login ? `${sub}/resourceGroups/LinuxVMs` : `${sub}/resourceGroups/rg${i % 1000}`,
        createdAt,
        createdBy: "bench",
        description: "",
      });
    }
    await running.store.rbac.createRoleAssignments(tenantId, rows);
    progress?.(Math.min(count, done + SEED_TRANSACTION));
  }
}

/**
 * PostgreSQL after a bulk load: statistics for the planner (PostgreSQL's "populating a database"
 * advice). Without them, and with autovacuum off as on the test database here, the engine's
 * snapshot pages (`tenant_id = $1 and id > $2 order by id limit 5000`) are planned as a bitmap
 * scan of every remaining row plus a sort: about 2 s a page at 1,000,000 rows.
 */
async function analyze(database: string): Promise<void> {
  const url = new URL(database);
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    if (schema) await client.query(`set search_path to "${schema.replaceAll('"', '""')}"`);
    await client.query("analyze role_assignments");
    await client.query("analyze change_log");
  } finally {
    await client.end();
  }
}

export interface JoinedHostOptions {
  /**
   * Role assignments written to the store before the service starts serving (the benchmark's
   * large tenant): Reader at 1,000 resource groups and, one in a hundred, User Login at the
   * machine's resource group, for principals that do not exist. Written in batches, then the
   * server is started again so its engine loads them from a snapshot, as after a restart.
   */
  readonly assignments?: number;
  /** `postgres://…` to run the server on PostgreSQL (default: SQLite in its data directory). */
  readonly database?: string;
  /** Told how many assignments are written so far, and how long each phase took (ms). */
  readonly progress?: (event: { seeded?: number; phase?: "seed" | "restart"; ms?: number }) => void;
}

export async function startJoinedHost(options: JoinedHostOptions = {}): Promise<JoinedHost> {
  const dir = await makeTempDir("hostpass-joined-host-");
  let lab: MachineLab | undefined;
  let running: RunningServer | undefined;
  try {
    lab = await openMachineLab();
    const listen = `${lab.network.gateway}:0`;
    const serverOptions = {
      dataDir: dir,
      listen,
      logLevel: "silent",
      ...(options.database ? { database: options.database } : {}),
    } as const;
    running = await startServer(serverOptions);
    if (options.assignments) {
      let t = performance.now();
      await seedAssignments(running, options.assignments, (seeded) => options.progress?.({ seeded }));
      options.progress?.({ phase: "seed", ms: performance.now() - t });
      if (options.database?.startsWith("postgres")) await analyze(options.database);
      await running.close();
      t = performance.now();
      running = await startServer(serverOptions);
      options.progress?.({ phase: "restart", ms: performance.now() - t });
    }
    const server = running;
    const tenantId = server.bootstrap.tenant.id;
    const ca: Signer = openCaSigner(
      activeCaKey(await server.store.caKeys.list(), "user"),
      await loadOrCreateKek(dir),
    );
    const api = await servicePrincipalApi(server, dir, "owner", { atRoot: true });
    const resourceGroup = `/subscriptions/${server.bootstrap.subscriptionId}/resourceGroups/LinuxVMs`;
    assert.equal((await api("PUT", resourceGroup, { location: "local" })).status, 201);
    const vm = `${resourceGroup}/providers/Compute/virtualMachines/myVM`;
    const created = await api("PUT", vm, {
      image: "debian-12",
      adminUsername: "localadmin",
      assignIdentity: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const ext = await api("PUT", `${vm}/extensions/SSHLoginForLinux`, {
      publisher: "hostpass",
      type: "SSHLoginForLinux",
    });
    assert.equal(ext.status, 200, JSON.stringify(ext.body));
    const machine = await lab.start({
      hostname: "myvm",
      binds: [{ source: REPO, target: "/opt/hostpass", readOnly: true }],
    });
    // the exact line `vm create` answered, with the agent's path in this machine
    const [program, ...args] = String(created.body.joinCommand).split(" ");
    assert.equal(program, "hostpass-agent");
    const joined = await machine.exec(["/opt/hostpass/bin/hostpass-agent", ...args], { timeoutMs: 120_000 });
    assert.equal(joined.code, 0, joined.stderr);
    await writeMachineService(machine.dir, {
      name: "hostpass-agent",
      argv: ["/opt/hostpass/bin/hostpass-agent", "run", "--sshd-log", "file:/var/log/localvm-sshd.log"],
    });
    await machine.startService("hostpass-agent");
    let serial = 77_000n;
    const machineLab = lab;
    return {
      running: server,
      api,
      machine,
      tenantId,
      resourceGroup,
      vm,
      user: (name) =>
        createUser(server.store.directory, { tenantId, upn: `${name}@contoso.example`, displayName: name }),
      async assign(role, principalId, scope) {
        const id = `${scope}/providers/Authorization/roleAssignments/${randomUUID()}`;
        const r = await api("PUT", id, { role, assignee: principalId });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return id;
      },
      async login(u, command = "id -un") {
        const pair = testKeyPair("ssh-ed25519", `joined-${u.linuxName}`);
        const key = await writeSecret(join(dir, `${u.linuxName}_key`), formatPrivateKey(pair.privateKey));
        const now = nowSeconds();
        const cert = signCertificate(
          {
            kind: "user",
            key: pair.publicKey,
            serial: serial++,
            keyId: `${u.id}@${tenantId}`,
            principals: [u.linuxName],
            validAfter: now - 60n,
            validBefore: now + 3600n,
            criticalOptions: {},
            extensions: { "permit-pty": "" },
          },
          ca,
        );
        const certificateFile = join(dir, `${u.linuxName}-${cert.serial}-cert.pub`);
        await writeFile(certificateFile, formatCertificate(cert));
        return sshLogin({
          host: machine.address,
          port: 22,
          user: u.linuxName,
          identityFile: key,
          certificateFile,
          command,
        });
      },
      agentLog: async () => (await machine.exec(["cat", "/var/log/localvm-hostpass-agent.log"])).stdout,
      async close() {
        await machineLab.close();
        await server.close();
        await removeDir(dir);
      },
    };
  } catch (error) {
    await lab?.close().catch(() => undefined);
    await running?.close().catch(() => undefined);
    await removeDir(dir);
    throw error;
  }
}
