/**
 * Create-to-first-login of local machines (`hostpass server --local-machines`): the time from
 * `PUT …/virtualMachines/{name}` (what `hostpass vm create` sends) to the first successful `ssh`
 * login to the new machine's own address, for 1 machine and for 10 created at once; ÷ the same
 * for a bare sshd process started on loopback (no namespaces, image, network or service), measured
 * in the same run. Run as root on Linux. `--quick`: 1 and 3 machines.
 * Each machine is created with a managed identity, so the figure includes its host agent joining
 * the service (join code, key registration, through the relay) before `vm create` answers; the
 * login is the machine's local admin (key), which does not wait for the agent's first state.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalMachineProvider } from "../src/localvm/index.ts";
import { startServer } from "../src/server/index.ts";
import { type ApiCall, servicePrincipalApi } from "../test/helpers/api-client.ts";
import { makeUserKey } from "../test/helpers/local-machines.ts";
import { makeTempDir, removeDir, sshLogin, startSshd } from "../test/helpers/openssh.ts";
import { round } from "./lib-measure.ts";

export async function run(args: string[]): Promise<object> {
  const sizes = args.includes("--quick") ? [1, 3] : [1, 10];
  const dataDir = await makeTempDir("hostpass-bench-vm-");
  const keys = await makeTempDir("hostpass-bench-vm-keys-");
  const server = await startServer({ dataDir, listen: "127.0.0.1:0", localMachines: {}, logLevel: "silent" });
  try {
    const admin = await makeUserKey(keys);
    const api = await servicePrincipalApi(server, dataDir);
    const rg = `/subscriptions/${server.bootstrap.subscriptionId}/resourceGroups/bench`;
    if ((await api("PUT", rg, { location: "local" })).status !== 201)
      throw new Error("resource group not created");
    // The first machine of a data directory also copies the base /etc: measured apart, not in the figures.
    const warm = performance.now();
    await createAndLogIn(api, `${rg}/providers/Compute/virtualMachines/warmup`, admin);
    const firstEverMs = performance.now() - warm;
    const results: Record<string, unknown> = {};
    let index = 0;
    for (const n of sizes) {
      const names = Array.from({ length: n }, () => `${rg}/providers/Compute/virtualMachines/vm${index++}`);
      const machineStart = performance.now();
      const each = await Promise.all(names.map((id) => createAndLogIn(api, id, admin)));
      const machineMs = performance.now() - machineStart;
      const bareStart = performance.now();
      await Promise.all(names.map(() => bareSshdLogin(admin)));
      const bareMs = performance.now() - bareStart;
      results[`machines${n}`] = {
        allLoggedInMs: round(machineMs, 0),
        slowestMachineMs: round(Math.max(...each), 0),
        bareSshdMs: round(bareMs, 0),
        ratio: round(machineMs / bareMs, 2),
      };
      await Promise.all(names.map((id) => api("DELETE", id)));
    }
    return {
      what: "vm create (PUT, with identity: the agent joins) to first ssh login on the new local machine, N at once ÷ N bare sshd processes started and logged in to",
      firstMachineOfDataDirMs: round(firstEverMs, 0),
      ...results,
    };
  } finally {
    await server.close();
    await (await LocalMachineProvider.open(join(dataDir, "machines"))).destroyAll();
    await rm(dataDir, { recursive: true, force: true });
    await removeDir(keys);
  }
}

async function createAndLogIn(
  api: ApiCall,
  id: string,
  admin: { key: string; publicLine: string },
): Promise<number> {
  const start = performance.now();
  const vm = await api("PUT", id, {
    image: "debian-12",
    adminUsername: "localadmin",
    adminSshPublicKey: admin.publicLine,
    assignIdentity: true,
  });
  if (vm.status !== 201) throw new Error(`vm create ${id}: ${vm.status} ${JSON.stringify(vm.body)}`);
  const login = await sshLogin({
    host: vm.body.privateIps as string,
    port: 22,
    user: "localadmin",
    identityFile: admin.key,
  });
  if (login.code !== 0) throw new Error(`login to ${id} failed: ${login.stderr}`);
  return performance.now() - start;
}

async function bareSshdLogin(admin: { key: string; publicLine: string }): Promise<void> {
  const dir = await makeTempDir("hostpass-bench-sshd-");
  try {
    const authorized = join(dir, "authorized_keys");
    await writeFile(authorized, `${admin.publicLine}\n`);
    const sshd = await startSshd({ dir, authorizedKeysFile: authorized });
    const login = await sshLogin({ port: sshd.port, user: "root", identityFile: admin.key });
    await sshd.stop();
    if (login.code !== 0) throw new Error(`bare login failed: ${login.stderr}`);
  } finally {
    await removeDir(dir);
  }
}
