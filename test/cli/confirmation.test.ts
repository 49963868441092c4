/**
 * Destructive commands ask "Are you sure" unless --yes (az's `confirmation=True`), all the same
 * way (trial finding: `idp delete`, `scim token delete`, `ad sp delete` deleted without asking
 * while `vm delete` asked). Walks the command tree, so a new destructive command that forgets
 * `confirmation: true` fails here. The real CLI, with no terminal on stdin (as in a script): it
 * refuses with a code, before it looks anything up, rather than wait.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { Command } from "commander";
import type { CliContext } from "../../src/cli/command.ts";
import { loadAllCommands } from "../../src/cli/commands/index.ts";
import { confirm } from "../../src/cli/lib/confirm.ts";
import { configureCommand } from "../../src/cli/lib/options.ts";
import { runCliCaptured } from "../helpers/cli.ts";

/** Verbs that delete something or cut access: every command ending in one asks first. */
const DESTRUCTIVE = /^(delete|remove|unregister|revoke|revoke-sign-in-sessions|terminate)$/;

/**
 * The exceptions, each with its reason. The seed's own migration step runs `az vm extension
 * delete` without --yes (az does not ask there), and the seed's commands run as written; an
 * extension is set again with one command, nothing is lost.
 */
const EXEMPT = new Map([
  ["vm extension delete", "the seed runs it without --yes"],
  ["vmss extension delete", "the scale-set twin of vm extension delete"],
]);

describe("destructive commands ask for confirmation", () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), "hostpass-confirm-"));
    // Nobody signed in and no cloud: a command that got past the prompt fails differently.
    env = { ...process.env, HOME: home, HOSTPASS_CONFIG_DIR: join(home, ".hostpass") };
  });
  after(() => rm(home, { recursive: true, force: true }));

  it("every delete/remove/revoke/terminate command refuses without --yes and no terminal, before anything else", async () => {
    assert.equal(process.stdin.isTTY ?? false, false, "the test runs without a terminal on stdin");
    const walked: string[] = [];
    for (const command of await loadAllCommands()) {
      const name = command.path.join(" ");
      const verb = command.path.at(-1) as string;
      if (!DESTRUCTIVE.test(verb) || EXEMPT.has(name)) {
        assert.equal(command.confirmation, undefined, `${name} asks, but is not a destructive verb`);
        continue;
      }
      assert.equal(command.confirmation, true, `${name} must declare confirmation: true`);
      walked.push(name);
      // Its required options with a placeholder value, so that only the prompt can stop it.
      const probe = new Command(verb);
      configureCommand(probe, command);
      assert.ok(
        probe.options.some((o) => o.long === "--yes" && o.short === "-y"),
        `${name} takes -y/--yes`,
      );
      const args = [
        ...command.path,
        ...probe.options.filter((o) => o.mandatory).flatMap((o) => [o.long as string, "x"]),
      ];
      const refused = await runCliCaptured(args, env);
      assert.equal(refused.code, 2, `${name}: ${refused.err}`);
      assert.equal(
        refused.err,
        "ERROR: (ERR_CLI_CONFIRMATION_REQUIRED) Unable to prompt for confirmation as no tty is available. Use --yes.\n",
        name,
      );
      assert.equal(refused.out, "", name);
      // With --yes it goes on (and fails later here: nobody is signed in, or no such cloud).
      const confirmed = await runCliCaptured([...args, "--yes"], env);
      assert.notEqual(confirmed.code, 0, name);
      assert.doesNotMatch(confirmed.err, /CONFIRMATION_REQUIRED/, name);
    }
    // The trial's three, and the ones that asked before, are among them.
    for (const name of ["idp delete", "scim token delete", "ad sp delete", "vm delete", "group delete"])
      assert.ok(walked.includes(name), name);
    for (const name of EXEMPT.keys()) assert.ok(!walked.includes(name), `${name} is still a command`);
  });

  it("at a terminal: y goes on, anything else cancels (ERR_CANCELLED); the question is on stderr", async () => {
    const answer = async (text: string) => {
      const stdin = Object.assign(new PassThrough(), { isTTY: true });
      const stderr = new PassThrough();
      let asked = "";
      stderr.on("data", (c: Buffer) => {
        asked += c.toString();
        if (asked.includes("(y/n): ")) stdin.write(text);
      });
      const ctx = { stderr, signal: new AbortController().signal } as unknown as CliContext;
      try {
        await confirm(ctx, false, stdin);
        return { asked, result: "confirmed" };
      } catch (error) {
        return { asked, result: (error as { code: string }).code };
      }
    };
    for (const yes of ["y\n", "Y\n", "yes\n"]) assert.equal((await answer(yes)).result, "confirmed", yes);
    for (const no of ["n\n", "\n", "maybe\n"]) assert.equal((await answer(no)).result, "ERR_CANCELLED", no);
    assert.equal((await answer("y\n")).asked, "Are you sure you want to perform this operation? (y/n): ");
  });
});
