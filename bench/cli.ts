/**
 * `hostpass ssh vm ... true` with a cached certificate ÷ plain `ssh` with a key to the same host
 * (target <= 1.3, PRODUCT.md §7), and the CLI's own start-up time. One hostpass server and one
 * sshd on loopback, started here; the sshd trusts the tenant's user CA, presents a host
 * certificate from its host CA, and also accepts a plain key in authorized_keys. The CLI signs in
 * as a service principal (no browser) and runs as a real process (bin/hostpass), as a user runs it.
 * Runs alternate so machine noise hits both sides alike.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startServer } from "../src/server/index.ts";
import {
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  parsePublicKey,
  renderCertAuthorityLine,
} from "../src/ssh/index.ts";
import { botWithSecret, grantRole, loopbackMachine } from "../test/helpers/login-fixture.ts";
import { makeTempDir, removeDir, writeSecret } from "../test/helpers/openssh.ts";
import { startStandInHost } from "../test/helpers/stand-in-host.ts";
import { median, round } from "./lib-measure.ts";

const TARGET = 1.3;
const exec = promisify(execFile);
const BIN = new URL("../bin/hostpass", import.meta.url).pathname;

export async function run(args: string[]): Promise<object> {
  const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
  const dataDir = await mkdtemp(join(tmpdir(), "hostpass-bench-cli-"));
  const home = await mkdtemp(join(tmpdir(), "hostpass-bench-cli-home-"));
  const keysDir = await makeTempDir("hostpass-bench-cli-keys-");
  const server = await startServer({
    dataDir,
    listen: "127.0.0.1:0",
    adminPassword: "bench admin password",
    logLevel: "silent",
  });
  const env = { ...process.env, HOME: home, HOSTPASS_CONFIG_DIR: join(home, ".hostpass") };
  const hostpass = (a: string[]) => exec(BIN, a, { env, encoding: "utf8" });
  let stopSshd = async () => {};
  try {
    const bot = await botWithSecret(server, "bench bot");
    const sp = bot.sp;
    const caFile = join(dataDir, "tls", "server-cert.pem");
    await hostpass(["cloud", "register", "-n", "bench", "--endpoint", server.url, "--ca-file", caFile]);
    await hostpass(["cloud", "set", "-n", "bench"]);
    // The administrator's work through the API's domain (no browser here): a VM at 127.0.0.1 and the role.
    await hostpass(bot.loginArgs);
    await grantRole(server, sp, await loopbackMachine(server, "bench", "benchVM"));
    // The host: user CA trusted, host certificate from the host CA, a plain key for the baseline.
    const records = await server.store.caKeys.list();
    const plain = generateKeyPair("ssh-ed25519");
    const plainKey = await writeSecret(join(keysDir, "plain_key"), formatPrivateKey(plain.privateKey));
    await writeFile(join(keysDir, "authorized_keys"), `${formatPublicKey(plain.publicKey)}\n`);
    const knownHosts = join(keysDir, "known_hosts");
    const hostCa = records.filter((r) => r.purpose === "host").map((r) => parsePublicKey(r.publicKey));
    await writeFile(knownHosts, hostCa.map((key) => renderCertAuthorityLine(["*"], key)).join(""));
    const host = await startStandInHost(server, dataDir, [sp.linuxName], {
      authorizedKeysFile: join(keysDir, "authorized_keys"),
    });
    stopSshd = host.stop;
    const sshd = host.sshd;
    const port = String(sshd.port);
    const byName = [
      "ssh",
      "vm",
      "-n",
      "benchVM",
      "-g",
      "bench",
      "--port",
      port,
      "--",
      "-o",
      "BatchMode=yes",
      "true",
    ];
    const byIp = ["ssh", "vm", "--ip", "127.0.0.1", "--port", port, "--", "-o", "BatchMode=yes", "true"];
    const plainSsh = [
      "-F",
      "/dev/null",
      "-o",
      "BatchMode=yes",
      "-o",
      "IdentitiesOnly=yes",
      "-i",
      plainKey,
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-p",
      port,
      "-l",
      sp.linuxName,
      "127.0.0.1",
      "true",
    ];
    const time = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      return performance.now() - start;
    };
    // First run: the certificate is made and cached (after the service's RBAC engine has picked up
    // the assignment made above through its own engine: it syncs within a second or two).
    for (let attempt = 0; ; attempt++) {
      const ok = await hostpass(byName).then(
        () => true,
        (error) => (attempt < 20 ? false : Promise.reject(error)),
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // A Node run that got in leaves the fast path's record (the very first one is made stale when
    // the account adopts its default subscription, so once more); then say which path runs.
    await hostpass(byName);
    const pathOf = async (a: string[]) => {
      const { stderr } = await exec(BIN, a, {
        env: { ...env, HOSTPASS_DEBUG_FASTPATH: "1" },
        encoding: "utf8",
      });
      return /^hostpass: (.*)$/m.exec(stderr)?.[1] ?? "?";
    };
    await hostpass(byIp);
    const paths = { byName: await pathOf(byName), byIp: await pathOf(byIp) };
    const nodeOnly = (a: string[]) =>
      exec(BIN, a, { env: { ...env, HOSTPASS_NO_FASTPATH: "1" }, encoding: "utf8" });
    const sides = {
      name: [] as number[],
      ip: [] as number[],
      nodePath: [] as number[],
      plain: [] as number[],
      startup: [] as number[],
      node: [] as number[],
    };
    for (let i = 0; i < runs; i++) {
      sides.plain.push(await time(() => exec("ssh", plainSsh)));
      sides.name.push(await time(() => hostpass(byName)));
      sides.ip.push(await time(() => hostpass(byIp)));
      sides.nodePath.push(await time(() => nodeOnly(byName)));
      sides.startup.push(await time(() => hostpass(["--version"])));
      sides.node.push(await time(() => exec(process.execPath, ["-e", "0"])));
    }
    const m = Object.fromEntries(Object.entries(sides).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof sides,
      number
    >;
    const ratio = m.name / m.plain;
    return {
      what: "median wall time of `hostpass ssh vm -n -g ... true` with a cached certificate ÷ plain `ssh -i key ... true`, same sshd (nodePath: with HOSTPASS_NO_FASTPATH=1)",
      runs,
      plainSshMs: round(m.plain, 1),
      sshVmByNameMs: round(m.name, 1),
      sshVmByIpMs: round(m.ip, 1),
      paths,
      sshVmNodePathMs: round(m.nodePath, 1),
      ratioNodePath: round(m.nodePath / m.plain),
      cliStartupMs: round(m.startup, 1),
      nodeStartupMs: round(m.node, 1),
      ratio: round(ratio),
      ratioByIp: round(m.ip / m.plain),
      target: TARGET,
      pass: ratio <= TARGET,
    };
  } finally {
    await stopSshd();
    await server.close();
    await removeDir(keysDir);
    await rm(dataDir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}
