/**
 * The host channel end to end (issue 7): a real `hostpass server` and a real `hostpass-agent`
 * inside a local machine (src/localvm: its own network, /etc, sshd, NSS, PAM, sudo), joined with
 * the one-line command `vm create` answered (a real one-time join code, the server's TLS pinned by
 * fingerprint). Real ssh logins with certificates from the server's own user CA: the admin gets a
 * shell and `sudo -n true`, a user a shell without sudo, someone with Owner only nothing; a demotion
 * takes sudo away; a removed role, a disabled user and a removed managed identity are refused
 * within 5 s while the agent is connected.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { User } from "../../src/directory/index.ts";
import { type JoinedHost, startJoinedHost } from "../helpers/agent-host.ts";
import { until } from "../helpers/local-machines.ts";

const ADMIN = "Virtual Machine Administrator Login";
const USER = "Virtual Machine User Login";

describe("a real agent joined to a real server, in a local machine", () => {
  let host: JoinedHost;
  const people: Record<string, User> = {};
  const assignments: Record<string, string> = {};
  const login = (who: string, command?: string) => host.login(people[who] as User, command);
  const sudo = async (who: string) =>
    (await login(who, "sudo -n true && echo SUDO-OK || echo NO-SUDO")).stdout.trim();

  before(async () => {
    host = await startJoinedHost();
    for (const name of ["alice", "bob", "carol", "dave"]) people[name] = await host.user(name);
    const id = (who: string) => (people[who] as User).id;
    assignments.alice = await host.assign(ADMIN, id("alice"), host.vm);
    assignments.bob = await host.assign(USER, id("bob"), host.resourceGroup);
    await host.assign("Owner", id("carol"), host.resourceGroup);
    assignments.daveAdmin = await host.assign(ADMIN, id("dave"), host.vm);
    await host.assign(USER, id("dave"), host.resourceGroup);
  });
  after(async () => {
    if (process.env.AGENT_TEST_DEBUG && host) console.log((await host.agentLog()).slice(-6000));
    await host?.close();
  });

  it("admin role: shell and sudo; user role: shell, no sudo; Owner only: refused", async () => {
    await until("alice can log in", async () => (await login("alice")).code === 0, 30_000);
    assert.equal(await sudo("alice"), "SUDO-OK");
    const user = await login("bob", "id -un");
    assert.equal(user.code, 0, user.stderr);
    assert.equal(user.stdout.trim(), (people.bob as User).linuxName);
    assert.equal(await sudo("bob"), "NO-SUDO");
    assert.notEqual((await login("carol")).code, 0);
  });

  it("every attempt the host saw is in the sign-in log with the machine", async () => {
    const alice = people.alice as User;
    await until(
      "alice's login reported",
      async () => {
        const r = await host.api("GET", `/auditLogs/signIns?userId=${alice.id}&appId=hostpass-host-login`);
        const entries = (r.body.value as { resourceId?: string }[] | undefined) ?? [];
        return entries.some((e) => e.resourceId === host.vm);
      },
      20_000,
    );
  });

  it("a demotion takes sudo away within 5 s; the login stays", async () => {
    assert.equal(await sudo("dave"), "SUDO-OK");
    assert.equal((await host.api("DELETE", assignments.daveAdmin as string)).status, 200);
    const ms = await until("dave demoted", async () => (await sudo("dave")) === "NO-SUDO", 5000);
    console.log(`# admin role removed -> sudo refused ${ms.toFixed(0)} ms`);
  });

  it("a removed role and a disabled user are refused within 5 s while the agent is connected", async () => {
    assert.equal((await login("bob")).code, 0);
    let started = performance.now();
    assert.equal((await host.api("DELETE", assignments.bob as string)).status, 200);
    await until("bob refused", async () => (await login("bob")).code !== 0, 5000);
    const roleMs = performance.now() - started;
    // The host knows bob no more ("unknown user" to sshd); the sign-in log names him and says why.
    const bob = people.bob as User;
    let refusals: { userPrincipalName?: string; failureReason?: string }[] = [];
    await until(
      "bob's refusal reported with its reason",
      async () => {
        const r = await host.api(
          "GET",
          `/auditLogs/signIns?userId=${bob.id}&appId=hostpass-host-login&result=failure`,
        );
        refusals = (r.body.value as typeof refusals | undefined) ?? [];
        return refusals.length > 0;
      },
      20_000,
    );
    assert.equal(refusals[0]?.userPrincipalName, bob.upn);
    assert.match(
      refusals[0]?.failureReason ?? "",
      /^no login role on this machine/,
      JSON.stringify(refusals),
    );
    assert.equal((await login("alice")).code, 0);
    started = performance.now();
    const disabled = await host.api("PATCH", `/directory/users/${(people.alice as User).id}`, {
      accountEnabled: false,
    });
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
    await until("alice refused", async () => (await login("alice")).code !== 0, 5000);
    const disableMs = performance.now() - started;
    console.log(
      `# role removed -> refused ${roleMs.toFixed(0)} ms; user disabled -> refused ${disableMs.toFixed(0)} ms`,
    );
  });

  it("a removed managed identity stops every directory login within 5 s", async () => {
    assert.equal((await login("dave")).code, 0);
    const started = performance.now();
    assert.equal((await host.api("DELETE", `${host.vm}/identity`)).status < 300, true);
    const ms = await until("dave refused", async () => (await login("dave")).code !== 0, 5000);
    console.log(
      `# identity removed -> refused ${(performance.now() - started).toFixed(0)} ms (${ms.toFixed(0)})`,
    );
  });
});
