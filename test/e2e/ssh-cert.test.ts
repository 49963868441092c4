/**
 * `hostpass login` and `hostpass ssh cert` end to end, as a user runs them: the real CLI commands
 * (runCli) against a real `hostpass server` (HTTPS, 127.0.0.1 port 0), the sign-in completed in
 * Debian's Chromium, the certificate read back by `ssh-keygen -L` and used for a real `ssh` login
 * through a private sshd that trusts the CA the server publishes.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { http } from "../../src/cli/session/http.ts";
import {
  addClientSecret,
  createServicePrincipal,
  createUser,
  setDeviceCompliant,
  setUserEnabled,
  type User,
} from "../../src/directory/index.ts";
import { enrollTotp, totpCodeAt } from "../../src/mfa/index.ts";
import { putPolicy } from "../../src/policy/index.ts";
import { type RunningServer, startServer } from "../../src/server/index.ts";
import { parseCertificateText } from "../../src/ssh/index.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { makeTempDir, removeDir, type Sshd, sshKeygen, sshLogin, startSshd } from "../helpers/openssh.ts";
import { launchChromium, submit } from "../portal/helpers/chromium.ts";
import { typePassword, withBrowserContext } from "./browser.ts";

describe("hostpass login + ssh cert, end to end", () => {
  let dataDir: string;
  let home: string;
  let running: RunningServer;
  let browser: Browser;
  let tenantId: string;
  let alice: User;
  let sshdDir: string;
  let sshd: Sshd;

  /** Runs the real CLI with its own config directory; returns exit code and output. */
  const cli = (args: string[], onStderr?: (text: string) => void) =>
    runCliCaptured(
      args,
      { ...process.env, HOSTPASS_CONFIG_DIR: join(home, ".hostpass"), HOSTPASS_NO_BROWSER: "1" },
      onStderr,
    );

  /** `hostpass login`: the CLI prints the URL (no browser here); Chromium completes the sign-in. */
  /**
   * Runs a CLI command that signs in (login, or a step-up): the CLI prints the URL (no browser
   * here) and Chromium completes the sign-in with the password and, when given, a TOTP code.
   */
  async function withSignIn(args: string[], upn: string, password: string, totpSecret?: string) {
    let opened = false;
    let signIn: Promise<void> = Promise.resolve();
    const result = await cli(args, (err) => {
      const url = /(https:\/\/\S+\/oauth2\/\S+)/.exec(err)?.[1];
      if (!url || opened) return;
      opened = true;
      signIn = withBrowserContext(browser, async (open) => {
        await open(async (page) => {
          await typePassword(page, upn, password);
          if (totpSecret) {
            await page.fill("#code", totpCodeAt(totpSecret, Date.now()));
            await submit(page, "form[action$='/signin/totp'] button");
          }
          await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
        })(url);
      });
    });
    await signIn;
    return { ...result, prompted: opened };
  }
  const login = (upn: string, password: string) => withSignIn(["login"], upn, password);

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "hostpass-e2e-cert-"));
    home = await mkdtemp(join(tmpdir(), "hostpass-e2e-home-"));
    running = await startServer({
      dataDir,
      listen: "127.0.0.1:0",
      adminPassword: "admin password e2e",
      logLevel: "silent",
    });
    tenantId = running.bootstrap.tenant.id;
    alice = await createUser(running.store.directory, {
      tenantId,
      upn: "Alice@Hostpass.Local",
      displayName: "Alice",
      password: "alices password 1",
    });
    browser = await launchChromium();
    const caFile = join(dataDir, "tls", "server-cert.pem");
    assert.equal(
      (await cli(["cloud", "register", "-n", "e2e", "--endpoint", running.url, "--ca-file", caFile])).code,
      0,
    );
    assert.equal((await cli(["cloud", "set", "-n", "e2e"])).code, 0);
    // A private sshd that trusts the user CA the server publishes; root's principals file admits alice.
    sshdDir = await makeTempDir();
    const ca = (await http(`${running.url}/ssh/ca`, { caFile })).body as { userCaKeys: string[] };
    await writeFile(join(sshdDir, "trusted"), `${ca.userCaKeys.join("\n")}\n`);
    await writeFile(join(sshdDir, "principals_root"), `${alice.linuxName}\n`);
    sshd = await startSshd({
      dir: sshdDir,
      trustedUserCaKeys: join(sshdDir, "trusted"),
      authorizedPrincipalsFile: join(sshdDir, "principals_%u"),
    });
  });

  after(async () => {
    await sshd?.stop();
    await browser?.close();
    await running?.close();
    await removeDir(sshdDir);
    await rm(dataDir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it("without a sign-in, ssh cert says to run `hostpass login` again (exit 4)", async () => {
    const out = await cli(["ssh", "cert", "--file", join(home, "none-cert.pub")]);
    assert.equal(out.code, 4);
    assert.match(out.err, /run `hostpass login` again/);
  });

  it("login in the browser, then account show names the user", async () => {
    const out = await login("alice@hostpass.local", "alices password 1");
    assert.equal(out.code, 0, out.err);
    const shown = await cli(["account", "show", "--query", "user.name", "-o", "tsv"]);
    assert.equal(
      shown.out.trim(),
      "Alice@Hostpass.Local",
      "the UPN as entered; its Linux name is lower case",
    );
  });

  it("ssh cert writes a certificate that ssh-keygen -L shows with the server-decided fields", async () => {
    const file = join(home, "keys", "id-cert.pub");
    await (await import("node:fs/promises")).mkdir(join(home, "keys"), { recursive: true });
    const out = await cli(["ssh", "cert", "--file", file]);
    assert.equal(out.code, 0, out.err);
    assert.match(out.err, /Generated SSH certificate .* is valid until/);
    const result = JSON.parse(out.out) as { serial: string; keyId: string; principal: string };
    const listing = (await sshKeygen(["-L", "-f", file])).stdout;
    assert.match(listing, /Type: ssh-ed25519-cert-v01@openssh.com user certificate/);
    assert.match(listing, new RegExp(`Key ID: "${alice.id}@${tenantId}"`));
    assert.match(listing, new RegExp(`Serial: ${result.serial}\\n`));
    assert.match(listing, /Principals: \n\s+alice@hostpass.local\n/);
    assert.match(listing, /Extensions: \n\s+permit-pty\n/);
    const cert = parseCertificateText(await readFile(file, "utf8"));
    assert.equal(cert.validBefore - cert.validAfter, 3600n + 120n, "1 hour, backdated 2 minutes");
    const login = await sshLogin({
      port: sshd.port,
      user: "root",
      identityFile: join(home, "keys", "id_ed25519"),
      certificateFile: file,
    });
    assert.equal(login.code, 0, `${login.stderr}\n${sshd.log().slice(-1500)}`);
    assert.match(
      sshd.log(),
      new RegExp(`Accepted certificate ID "${alice.id}@${tenantId}" \\(serial ${result.serial}\\)`),
    );
    const audit = await running.store.audit.query(
      { tenantId, actor: alice.id, action: "Ssh/certificates/issue" },
      { limit: 10 },
    );
    const logged = audit.items.some(
      (e) => e.result === "success" && (e.details as { serial?: string }).serial === result.serial,
    );
    assert.ok(logged, "the issuance is in the activity log");
  });

  it("a conditional access sign-in frequency of 10 minutes yields a 10-minute certificate", async () => {
    await putPolicy(
      running.store.conditionalAccess,
      tenantId,
      {
        id: "linux-every-10-minutes",
        name: "Linux VM sign-in every 10 minutes",
        state: "enabled",
        assignments: { users: { include: "All" }, applications: { include: "All" } },
        sessionControls: { signInFrequency: { value: 10, unit: "minutes" } },
      },
      new Date(),
    );
    const file = join(home, "keys", "ten-cert.pub");
    const out = await cli([
      "ssh",
      "cert",
      "--file",
      file,
      "--public-key-file",
      join(home, "keys", "id_ed25519.pub"),
    ]);
    assert.equal(out.code, 0, out.err);
    const cert = parseCertificateText(await readFile(file, "utf8"));
    assert.equal(cert.validBefore - cert.validAfter, 600n + 120n);
    const log = await running.store.signInLog.query({ tenantId, principalId: alice.id }, { limit: 5 });
    const entry = log.items.find((e) => e.resource !== undefined && e.policies.length > 0);
    assert.ok(entry, "the certificate request is in the sign-in log");
    assert.equal(entry.result, "success");
    assert.deepEqual(
      entry.policies.map((p) => (p as { policyId: string; result: string }).policyId),
      ["linux-every-10-minutes"],
    );
    await running.store.conditionalAccess.deletePolicy(tenantId, "linux-every-10-minutes");
  });

  it("a service principal signs in with its secret and gets a certificate for its app-id name", async () => {
    const sp = await createServicePrincipal(running.store.directory, { tenantId, displayName: "deploy bot" });
    const { secret } = await addClientSecret(running.store.directory, {
      tenantId,
      principalId: sp.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const login = await cli([
      "login",
      "--service-principal",
      "-u",
      sp.appId,
      "-p",
      secret,
      "--tenant",
      tenantId,
    ]);
    assert.equal(login.code, 0, login.err);
    const file = join(home, "keys", "sp-cert.pub");
    const out = await cli(["ssh", "cert", "--file", file]);
    assert.equal(out.code, 0, out.err);
    assert.deepEqual(parseCertificateText(await readFile(file, "utf8")).principals, [sp.linuxName]);
    assert.match(sp.linuxName, /^sp-[a-z2-7]{26}$/);
  });

  it("when conditional access requires MFA, ssh cert asks for it once and then gets the certificate", async () => {
    assert.equal((await login("alice@hostpass.local", "alices password 1")).code, 0, "password only");
    const { secret } = await enrollTotp("hostpass", alice.upn);
    await running.store.mfa.saveTotp(alice.id, secret, null, new Date());
    const policy = {
      id: "mfa-for-linux",
      name: "Require MFA for Linux VM sign-in",
      state: "enabled",
      assignments: { users: { include: "All" }, applications: { include: "All" } },
      grantControls: { operator: "OR", controls: ["mfa"] },
    };
    await putPolicy(running.store.conditionalAccess, tenantId, policy, new Date());
    const file = join(home, "keys", "mfa-cert.pub");
    const args = ["ssh", "cert", "--file", file, "--public-key-file", join(home, "keys", "id_ed25519.pub")];
    const first = await withSignIn(args, "alice@hostpass.local", "alices password 1", secret);
    assert.equal(first.code, 0, first.err);
    assert.ok(first.prompted, "the password-only session was asked for MFA");
    assert.match(first.err, /Conditional access requires mfa/);
    const again = await withSignIn(args, "alice@hostpass.local", "alices password 1", secret);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.prompted, false, "no prompt once the session has MFA");
    await running.store.conditionalAccess.deletePolicy(tenantId, policy.id);
  });

  it("a compliant-device policy: refused with a hint until this machine's registered device is marked compliant", async () => {
    const policy = {
      id: "compliant-device",
      name: "Require a compliant device for Linux VM sign-in",
      state: "enabled",
      assignments: { users: { include: "All" }, applications: { include: "All" } },
      grantControls: { operator: "OR", controls: ["compliantDevice"] },
    };
    await putPolicy(running.store.conditionalAccess, tenantId, policy, new Date());
    const file = join(home, "keys", "device-cert.pub");
    const args = ["ssh", "cert", "--file", file, "--public-key-file", join(home, "keys", "id_ed25519.pub")];
    const refused = await cli(args);
    assert.equal(refused.code, 5, refused.err);
    assert.match(refused.err, /ERR_DEVICE_NOT_COMPLIANT.*hostpass device register/);
    const registered = await cli(["device", "register", "-n", "e2e laptop"]);
    assert.equal(registered.code, 0, registered.err);
    const device = JSON.parse(registered.out) as { id: string; compliant: boolean; ownerId: string };
    assert.equal(device.compliant, false);
    assert.equal(device.ownerId, alice.id);
    assert.equal((await cli(args)).code, 5, "registered but not compliant");
    await setDeviceCompliant(running.store.directory, { tenantId, deviceId: device.id, compliant: true });
    const granted = await cli(args);
    assert.equal(granted.code, 0, granted.err);
    await running.store.conditionalAccess.deletePolicy(tenantId, policy.id);
  });

  it("a disabled user gets no certificate", async () => {
    // alice is still the signed-in account (from the step-up above).

    await setUserEnabled(running.store.directory, tenantId, alice.id, false);
    const out = await cli(["ssh", "cert", "--file", join(home, "keys", "disabled-cert.pub")]);
    assert.notEqual(out.code, 0);
    assert.match(out.err, /ERR_/);
  });
});
