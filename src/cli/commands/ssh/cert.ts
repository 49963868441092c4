/**
 * `hostpass ssh cert --file F [--public-key-file P]`: writes a short-lived OpenSSH user certificate
 * for a key, for use with any OpenSSH client (`ssh -i key -o CertificateFile=F`). Without a key,
 * an Ed25519 pair is made in F's folder, written only once the certificate is issued.
 */
import { basename, dirname, join, resolve } from "node:path";
import { Option } from "commander";
import { makeDirectory } from "../../../shared/make-directory.ts";
import type { CliCommand, CliContext } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";

interface Args {
  readonly file?: string;
  readonly publicKeyFile?: string;
  readonly renew?: string;
}

export const sshCertCommand: CliCommand<Args> = {
  path: ["ssh", "cert"],
  summary: "Write an SSH certificate for a key (made in the folder of --file when not given).",
  examples: [
    {
      summary: "A certificate for a new key pair made next to it.",
      command: "hostpass ssh cert --file ~/.ssh/hostpass/id-cert.pub",
    },
    {
      summary: "A certificate for an existing key (its private key must be beside it).",
      command: "hostpass ssh cert --file ./id-cert.pub --public-key-file ./id.pub",
    },
    {
      summary: "Administrators: list and revoke issued certificates (see their own -h).",
      command:
        "hostpass ssh cert list --principal alice@contoso.example; hostpass ssh cert revoke --serial N",
    },
  ],
  configure(command) {
    command
      .option("-f, --file <path>", "where to write the certificate (default: <public key>-cert.pub)")
      .option("-p, --public-key-file <path>", "the public key to certify; its private key must be next to it")
      .addOption(
        new Option(
          "--renew <keys-folder>",
          "renew the certificate of a keys folder written by `ssh config` if it is close to expiry; never prompts",
        ).conflicts(["file"]),
      );
  },
  async run(ctx, args) {
    if (args.renew !== undefined) return renew(ctx, resolve(args.renew), args.publicKeyFile);
    if (!args.file && !args.publicKeyFile)
      throw new CliUsageError("--file or --public-key-file must be provided.");
    const { writeFileAtomic } = await import("../../../shared/atomic-write.ts");
    const { openSession } = await import("../../session/context.ts");
    const creds = await import("../../session/ssh-credentials.ts");
    const session = await openSession(ctx.env); // signed in? (before any key is made)
    const folder = dirname(resolve(args.file ?? (args.publicKeyFile as string)));
    const ownKey = join(folder, "id_ed25519");
    const given = args.publicKeyFile
      ? resolve(args.publicKeyFile)
      : (await creds.exists(ownKey))
        ? `${ownKey}.pub`
        : undefined;
    const keys = given ? await creds.loadKeyPair(given) : creds.newKeyPair();
    const print = (line: string) => ctx.stderr.write(`${line}\n`);
    const issued = await creds.issueCertificate(session, keys, {
      interactive: true,
      env: ctx.env,
      print,
      signal: ctx.signal,
    });
    const saved = "privateKeyFile" in keys ? keys : await creds.saveKeyPair(keys, ownKey);
    if (!given)
      print(
        `${folder} contains sensitive information (id_ed25519, id_ed25519.pub). Please delete once this certificate is no longer being used.`,
      );
    const file = resolve(args.file ?? `${saved.privateKeyFile}-cert.pub`);
    await makeDirectory(dirname(file));
    await writeFileAtomic(file, issued.text, 0o644);
    const { certificate } = issued;
    const until = new Date(Number(certificate.validBefore) * 1000);
    print(`Generated SSH certificate ${file} is valid until ${until.toLocaleString()} in local time.`);
    return {
      certificateFile: file,
      privateKeyFile: saved.privateKeyFile,
      principal: certificate.principals[0],
      keyId: certificate.keyId,
      serial: certificate.serial.toString(),
      validAfter: new Date(Number(certificate.validAfter) * 1000).toISOString(),
      validBefore: until.toISOString(),
    };
  },
};

/**
 * `--renew`: what ssh runs from `ssh config`'s `Match exec` line. Fast when the certificate is
 * still good (node built-ins only); otherwise a new certificate for the account and key the
 * folder was made for, without any prompt (a claims challenge is an error naming what to run).
 * A default keys folder (`<config dir>/ssh/<cloud>/<object id>`) names its account, so after
 * `hostpass logout` removed it the answer is "run `hostpass login`", and once that account signs
 * in again the folder is simply made anew (`-p`: the user's own key that `ssh config` was given).
 */
async function renew(ctx: CliContext, folder: string, publicKeyFile: string | undefined): Promise<undefined> {
  const { readFresh, readMeta } = await import("../../session/ssh-cache.ts");
  if (await readFresh(folder, Date.now())) return undefined;
  const meta = (await readMeta(folder)) ?? accountOfDefaultFolder(folder);
  if (!meta)
    throw new CliUsageError(`${folder} holds no hostpass certificate; run \`hostpass ssh config\` again`);
  const { openSessionFor } = await import("../../session/context.ts");
  const { loadKeyPair } = await import("../../session/ssh-credentials.ts");
  const { ensureCredential } = await import("../../session/renewal.ts");
  const session = await openSessionFor(meta.configDir, meta.cloud, meta.objectId);
  const ownKey =
    "privateKeyFile" in meta && meta.privateKeyFile ? `${meta.privateKeyFile}.pub` : publicKeyFile;
  const keys = ownKey ? await loadKeyPair(resolve(ownKey)) : undefined;
  await ensureCredential(session, folder, {
    ...(keys ? { keys } : {}),
    interactive: false,
    env: ctx.env,
    print: (line) => ctx.stderr.write(`${line}\n`),
    signal: ctx.signal,
  });
  return undefined;
}

/** The account a default keys folder (`<config dir>/ssh/<cloud>/<object id>`) belongs to. */
function accountOfDefaultFolder(
  folder: string,
): { configDir: string; cloud: string; objectId: string } | undefined {
  const objectId = basename(folder);
  const cloudFolder = dirname(folder);
  const sshFolder = dirname(cloudFolder);
  if (basename(sshFolder) !== "ssh" || !/^[0-9a-f-]{36}$/i.test(objectId)) return undefined;
  return { configDir: dirname(sshFolder), cloud: basename(cloudFolder), objectId };
}
