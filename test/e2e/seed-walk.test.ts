/**
 * The seed's command blocks (seed/000_f5d1babd63f17aa2.txt; PRODUCT.md §2), in the seed's order,
 * with `az` replaced by `hostpass`, run through the real CLI (bin/hostpass, as a shell would, with
 * `x=$(...)` captures and `$x` expansion) against a real server. Where the seed assumes something
 * that already exists (a scale set, the old extension on an older VM, a service principal), the
 * walk makes it first with the CLI. Until local machines give VMs an address and an agent-managed
 * sshd, the VM is registered at 127.0.0.1 and `ssh vm` reaches a stand-in host on its own port.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ADMIN_PASSWORD, ADMIN_UPN, type CliServer, startCliServer } from "../helpers/cli-server.ts";
import { type StandInHost, startStandInHost } from "../helpers/stand-in-host.ts";

const run = promisify(execFile);
const BIN = new URL("../../bin/hostpass", import.meta.url).pathname;

/** The seed's blocks, `az` → `hostpass`; `#` lines are the walk's own preparation, not the seed's. */
const SEED = String.raw`
hostpass --version
hostpass group create --name AzureADLinuxVM --location southcentralus
hostpass vm create \
    --resource-group AzureADLinuxVM \
    --name myVM \	
    --image UbuntuLTS \
    --assign-identity \
    --admin-username azureuser \
    --generate-ssh-keys
hostpass vm extension set \
    --publisher Microsoft.Azure.ActiveDirectory \
    --name AADSSHLoginForLinux \
    --resource-group AzureADLinuxVM \
    --vm-name myVM
username=$(hostpass account show --query user.name --output tsv)
vm=$(hostpass vm show --resource-group AzureADLinuxVM --name myVM --query id -o tsv)
hostpass role assignment create \
    --role "Virtual Machine Administrator Login" \
    --assignee $username \
    --scope $vm
hostpass extension add --name ssh
hostpass extension show --name ssh
hostpass login
hostpass ssh vm -n myVM -g AzureADLinuxVM
hostpass login
hostpass ssh vm -n myVM -g AzureADLinuxVM
hostpass role assignment create \
    --role "Virtual Machine Administrator Login" \
    --assignee-object-id <service-principal-objectid> \
    --assignee-principal-type ServicePrincipal \
    --scope “/subscriptions/<subscription-id>/resourceGroups/<resourcegroup-name>"
hostpass login --service-principal -u <sp-app-id> -p <password-or-cert> --tenant <tenant-id>
hostpass ssh vm -n myVM -g AzureADLinuxVM
hostpass ssh config --file ~/.ssh/config -n myVM -g AzureADLinuxVM
hostpass ssh config --file ~/.ssh/config --ip 10.11.123.456
# hostpass account set --subscription admin@hostpass.local
# hostpass vmss create --resource-group AzureADLinuxVM --name myVMSS --image UbuntuLTS
hostpass vmss identity assign --name myVMSS --resource-group AzureADLinuxVM
hostpass vmss extension set --publisher Microsoft.Azure.ActiveDirectory --name AADSSHLoginForLinux --resource-group AzureADLinuxVM --vmss-name myVMSS
hostpass ssh vm --ip 10.11.123.456
# hostpass group create --name myResourceGroup --location southcentralus
# hostpass vm create --resource-group myResourceGroup --name myVM --image UbuntuLTS
# hostpass vm extension set --publisher Microsoft.Azure.ActiveDirectory.LinuxSSH --name AADLoginForLinux --resource-group myResourceGroup --vm-name myVM
hostpass vm extension delete -g MyResourceGroup --vm-name MyVm -n AADLoginForLinux
hostpass vm identity assign -g myResourceGroup -n myVm
hostpass vm extension set \
    --publisher Microsoft.Azure.ActiveDirectory \
    --name AADSSHLoginForLinux \
    --resource-group myResourceGroup \
    --vm-name myVM
`;

/** Logical lines: backslash continuations joined, blank lines dropped, `#` preparation lines kept. */
function commandLines(text: string): string[] {
  return text
    .replace(/\\[ \t]*\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((l) => l.replace(/^# /, ""));
}

/** Shell words: "..." (the seed also opens one with a curly quote), $var, ~. */
function shellWords(line: string, vars: ReadonlyMap<string, string>, home: string): string[] {
  const words: string[] = [];
  const re = /[“"]([^"”]*)[”"]|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const raw = m[1] ?? (m[2] as string);
    const expanded = raw
      .replace(/\$([A-Za-z_]\w*)/g, (_, v: string) => vars.get(v) ?? "")
      .replace(/^~(?=\/)/, home);
    if (m[1] !== undefined || expanded !== "") words.push(expanded);
  }
  return words;
}

describe("the seed's commands, with az replaced by hostpass", () => {
  let s: CliServer;
  let host: StandInHost;
  const vars = new Map<string, string>();
  const placeholders = new Map<string, string>();
  const ran: string[] = [];

  const hostpass = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(BIN, args, { env: s.env, encoding: "utf8", timeout: 120_000 });
      return { code: 0, out: stdout, err: stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof e.code !== "number") throw error;
      return { code: e.code, out: e.stdout ?? "", err: e.stderr ?? "" };
    }
  };

  before(async () => {
    s = await startCliServer();
    assert.equal((await s.signIn(ADMIN_UPN, ADMIN_PASSWORD)).code, 0);
  });
  after(async () => {
    await host?.stop();
    await s?.close();
  });

  it("runs every block in order; each command exits 0", async () => {
    let logins = 0;
    for (const line of commandLines(SEED)) {
      let text = line;
      for (const [k, v] of placeholders) text = text.replaceAll(k, v);
      const assign = /^([A-Za-z_]\w*)=\$\((.*)\)$/.exec(text);
      let args = shellWords(assign ? (assign[2] as string) : text, vars, s.home).slice(1);
      if (args[0] === "login" && args.length === 1) {
        // The browser sign-in: the seed's user once, then again (Cloud Shell's "run az login again").
        const r = await s.signIn(ADMIN_UPN, ADMIN_PASSWORD);
        assert.equal(r.code, 0, r.err);
        logins++;
        if (logins === 1) await prepareHost();
        ran.push(line);
        continue;
      }
      if (args[0] === "vm" && args[1] === "create") args.push("--private-ip-address", "127.0.0.1");
      if (args[0] === "ssh" && args[1] === "vm") {
        args = args.map((a) => (a === "10.11.123.456" ? "127.0.0.1" : a));
        args.push("--port", host.port, "--", "-o", "BatchMode=yes", "id", "-un");
      }
      const r = await hostpass(args);
      assert.equal(r.code, 0, `${line}\n${r.err}\n${host?.sshd.log().slice(-800) ?? ""}`);
      if (assign) vars.set(assign[1] as string, r.out.trim());
      if (args[0] === "ssh" && args[1] === "vm")
        assert.match(r.out, /^(admin@hostpass\.local|sp-[a-z2-7]{26})\n$/);
      ran.push(line);
    }
    assert.equal(vars.get("username"), ADMIN_UPN);
    assert.match(vars.get("vm") ?? "", /\/providers\/Compute\/virtualMachines\/myVM$/);
    assert.equal(ran.length, commandLines(SEED).length);
    const config = await readFile(join(s.home, ".ssh", "config"), "utf8");
    assert.match(config, /^Host AzureADLinuxVM-myVM$/m);
    assert.match(config, /^Host 10\.11\.123\.456$/m);
  });

  /** What the seed takes for granted before its service-principal section: the principal and a host. */
  async function prepareHost(): Promise<void> {
    const sp = await hostpass(["ad", "sp", "create-for-rbac", "-n", "automation"]);
    assert.equal(sp.code, 0, sp.err);
    const { appId, password, tenant } = JSON.parse(sp.out) as {
      appId: string;
      password: string;
      tenant: string;
    };
    const shown = JSON.parse((await hostpass(["ad", "sp", "show", "--id", appId])).out) as {
      id: string;
      linuxName: string;
    };
    placeholders.set("<service-principal-objectid>", shown.id);
    placeholders.set("<subscription-id>", s.running.bootstrap.subscriptionId);
    placeholders.set("<resourcegroup-name>", "AzureADLinuxVM");
    placeholders.set("<sp-app-id>", appId);
    placeholders.set("<password-or-cert>", password);
    placeholders.set("<tenant-id>", tenant);
    host = await startStandInHost(s.running, s.dataDir, ["admin@hostpass.local", shown.linuxName]);
  }
});
