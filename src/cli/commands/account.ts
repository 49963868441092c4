/** `hostpass logout` and `hostpass account show|list|set`, as `az` has them. */

import { CLI_CLIENT_ID } from "../../shared/well-known.ts";
import type { CliCommand } from "../command.ts";
import { CliUsageError } from "../errors.ts";
import { defaultAccount, loadAccounts, removeAccounts, setDefaultAccount } from "../session/accounts.ts";
import { showCloud } from "../session/clouds.ts";
import { configDir } from "../session/config-dir.ts";
import { discover, revoke } from "../session/oauth.ts";
import { describeAccount } from "./login.ts";

export const logoutCommand: CliCommand<{ username?: string }> = {
  path: ["logout"],
  summary: "Sign out: revoke the refresh token and forget the cached account.",
  configure(command) {
    command.option(
      "--username <name>",
      "the account to sign out (default: all accounts of the active cloud)",
    );
  },
  async run(ctx, args) {
    const dir = configDir(ctx.env);
    const cloud = await showCloud(dir);
    const removed = await removeAccounts(dir, cloud.name, args.username);
    const withToken = removed.filter((a) => a.refreshToken);
    if (withToken.length) {
      // Revocation is best effort: the cache is already gone, and an unreachable service must not block logout.
      const conn = await discover(cloud.endpoint, cloud.caFile).catch(() => undefined);
      if (conn)
        for (const a of withToken)
          await revoke(conn, CLI_CLIENT_ID, a.refreshToken as string).catch(() => undefined);
    }
    return undefined;
  },
};

export const accountShowCommand: CliCommand = {
  path: ["account", "show"],
  summary: "Show the signed-in account of the active cloud.",
  configure() {},
  async run(ctx) {
    const dir = configDir(ctx.env);
    return describeAccount(await defaultAccount(dir, (await showCloud(dir)).name));
  },
};

export const accountListCommand: CliCommand = {
  path: ["account", "list"],
  summary: "List signed-in accounts of every cloud.",
  configure() {},
  async run(ctx) {
    return (await loadAccounts(configDir(ctx.env))).map(describeAccount);
  },
};

export const accountSetCommand: CliCommand = {
  path: ["account", "set"],
  summary: "Make another signed-in account the default: --subscription <subscription, tenant or user>.",
  configure() {},
  async run(ctx) {
    // `--subscription` is the global flag (PRODUCT.md §3); `account set` requires it.
    const selector = ctx.globals.subscription;
    if (!selector) throw new CliUsageError("--subscription <id-or-name> is required");
    const dir = configDir(ctx.env);
    await setDefaultAccount(dir, (await showCloud(dir)).name, selector);
    return undefined;
  },
};
