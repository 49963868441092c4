/** `hostpass logout`: forget the cached account and revoke its refresh token, as `az logout`. */
import { rm } from "node:fs/promises";
import { CLI_CLIENT_ID } from "../../shared/well-known.ts";
import type { CliCommand } from "../command.ts";
import { removeAccounts } from "../session/accounts.ts";
import { showCloud } from "../session/clouds.ts";
import { configDir } from "../session/config-dir.ts";
import { discover, revoke } from "../session/oauth.ts";
import { defaultKeysFolder } from "../session/ssh-cache.ts";

export const logoutCommand: CliCommand<{ username?: string }> = {
  path: ["logout"],
  summary: "Sign out: revoke the refresh token and forget the cached account.",
  examples: [
    { summary: "Sign out every account of the active cloud.", command: "hostpass logout" },
    {
      summary: "Sign out one account.",
      command: "hostpass logout --username alice@contoso.example",
    },
  ],
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
    // Their ephemeral SSH keys and certificates (`ssh vm`, `ssh config`) go too.
    for (const a of removed)
      await rm(defaultKeysFolder(dir, a.cloud, a.objectId), { recursive: true, force: true });
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
