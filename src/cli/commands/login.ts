/**
 * `hostpass login`: browser sign-in (auth code + PKCE, loopback redirect), `--use-device-code`
 * for headless machines, or `--service-principal -u <app-id> -p <secret | PEM file> --tenant`.
 * Prints the signed-in account like `az login` prints its subscriptions.
 */
import { readFile, rm, stat } from "node:fs/promises";
import { Option } from "commander";
import {
  CLI_CLIENT_ID,
  MANAGEMENT_API_RESOURCE,
  MANAGEMENT_API_SCOPE,
  SIGN_IN_SCOPE,
} from "../../shared/well-known.ts";
import type { CliCommand } from "../command.ts";
import { CliUsageError } from "../errors.ts";
import { describeAccount } from "../lib/describe-account.ts";
import { type Account, saveAccount } from "../session/accounts.ts";
import { adoptDefaultSubscription, apiFor } from "../session/api.ts";
import { openBrowser } from "../session/browser.ts";
import { showCloud } from "../session/clouds.ts";
import { configDir } from "../session/config-dir.ts";
import {
  discover,
  peekClaims,
  signInServicePrincipal,
  signInWithBrowser,
  signInWithDeviceCode,
} from "../session/oauth.ts";
import { defaultKeysFolder } from "../session/ssh-cache.ts";

interface LoginArgs {
  readonly useDeviceCode?: boolean;
  readonly servicePrincipal?: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly tenant?: string;
}

/** `-p` is a certificate credential when it names a readable PEM file with a private key. */
async function credentialOf(
  password: string,
): Promise<{ secret: string } | { certificateFile: string; privateKeyPem: string }> {
  const isFile = await stat(password).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile) return { secret: password };
  const pem = await readFile(password, "utf8");
  if (!pem.includes("PRIVATE KEY-----"))
    throw new CliUsageError(`${password} holds no private key (PEM) for the certificate credential`);
  return { certificateFile: password, privateKeyPem: pem };
}

export const loginCommand: CliCommand<LoginArgs> = {
  path: ["login"],
  summary: "Sign in to the active cloud.",
  examples: [
    { summary: "Sign in in the browser (a loopback redirect on this machine).", command: "hostpass login" },
    { summary: "Sign in on a machine without a browser.", command: "hostpass login --use-device-code" },
    {
      summary: "Sign in as a service principal with a secret or a certificate's PEM file.",
      command: "hostpass login --service-principal -u <app-id> -p <secret-or-cert.pem> --tenant <tenant-id>",
    },
  ],
  configure(command) {
    command
      .option("--use-device-code", "sign in on another device's browser with a code (headless machines)")
      .option("--service-principal", "sign in as a service principal")
      .option("-u, --username <app-id>", "service principal app id")
      .addOption(
        new Option(
          "-p, --password <secret-or-pem>",
          "client secret, or a PEM file with the certificate credential's private key",
        ),
      )
      .option("-t, --tenant <tenant-id>", "tenant to sign in to");
  },
  async run(ctx, args) {
    const dir = configDir(ctx.env);
    const cloud = await showCloud(dir);
    const conn = await discover(cloud.endpoint, cloud.caFile);
    const print = (line: string) => ctx.stderr.write(`${line}\n`);
    const withSubscription = async (account: Account) => {
      // A new sign-in never reuses an earlier session's certificates: they may have been revoked
      // since (a disabled and re-enabled user), and a host refuses them (trial finding 1).
      await dropCachedCertificates(dir, account);
      const session = { dir, cloud, account, connection: async () => conn };
      await adoptDefaultSubscription(apiFor(session, ctx));
      return [describeAccount(session.account)];
    };
    if (args.servicePrincipal)
      return withSubscription(await loginServicePrincipal(args, dir, cloud.name, conn));
    if (args.username || args.password)
      throw new CliUsageError("-u/-p are for --service-principal; users sign in in the browser");
    const tokens = args.useDeviceCode
      ? await signInWithDeviceCode(conn, {
          clientId: CLI_CLIENT_ID,
          scope: SIGN_IN_SCOPE,
          print,
          signal: ctx.signal,
        })
      : await signInWithBrowser(conn, {
          clientId: CLI_CLIENT_ID,
          scope: SIGN_IN_SCOPE,
          print,
          signal: ctx.signal,
          openBrowser: (url) => openBrowser(url, ctx.env),
        });
    const claims = peekClaims(tokens.id_token ?? "");
    const tenantId = String(claims.tid ?? "");
    if (args.tenant && args.tenant !== tenantId)
      throw new CliUsageError(`signed in to tenant ${tenantId}, not ${args.tenant}`);
    const account = await saveAccount(dir, {
      cloud: cloud.name,
      tenantId,
      objectId: String(claims.oid ?? claims.sub ?? ""),
      user: { name: String(claims.preferred_username ?? claims.sub ?? ""), type: "user" },
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      accessTokens: {},
    });
    return withSubscription(account);
  },
};

/** The account's cached SSH keys and certificates (`ssh vm`, `ssh config`), as `hostpass logout` drops them. */
async function dropCachedCertificates(dir: string, account: Account): Promise<void> {
  await rm(defaultKeysFolder(dir, account.cloud, account.objectId), { recursive: true, force: true });
}

async function loginServicePrincipal(
  args: LoginArgs,
  dir: string,
  cloudName: string,
  conn: Awaited<ReturnType<typeof discover>>,
) {
  if (!args.username || !args.password || !args.tenant) {
    throw new CliUsageError(
      "--service-principal needs -u <app-id>, -p <secret-or-pem> and --tenant <tenant-id>",
    );
  }
  const credential = await credentialOf(args.password);
  // The credential is checked with a management API token (kept: the subscription lookup uses it);
  // Linux VM Sign-In tokens are asked for later, each DPoP-bound to the SSH key it certifies.
  const tokens = await signInServicePrincipal(
    conn,
    args.username,
    credential,
    MANAGEMENT_API_RESOURCE,
    MANAGEMENT_API_SCOPE,
  );
  const claims = peekClaims(tokens.access_token);
  if (String(claims.tid ?? "") !== args.tenant)
    throw new CliUsageError(
      `the service principal belongs to tenant ${String(claims.tid)}, not ${args.tenant}`,
    );
  return saveAccount(dir, {
    cloud: cloudName,
    tenantId: args.tenant,
    objectId: String(claims.oid ?? ""),
    user: { name: args.username, type: "servicePrincipal" },
    servicePrincipal: {
      appId: args.username,
      ...("secret" in credential
        ? { secret: credential.secret }
        : { certificateFile: credential.certificateFile }),
    },
    accessTokens: {
      [MANAGEMENT_API_RESOURCE]: {
        token: tokens.access_token,
        expiresAt: Date.now() + tokens.expires_in * 1000,
      },
    },
  });
}
