/**
 * `hostpass ssh cert --file F [--public-key-file P]`: writes a short-lived OpenSSH user certificate
 * for a key, for use with any OpenSSH client (`ssh -i key -o CertificateFile=F`).
 */
import { dirname, resolve } from "node:path";
import type { CliCommand } from "../../command.ts";
import { CliUsageError } from "../../errors.ts";
import { openSession } from "../../session/context.ts";
import { loadOrCreateKeyPair, requestCertificate } from "../../session/ssh-credentials.ts";
import { challengeOf, DeviceComplianceRequiredError, stepUp } from "../../session/step-up.ts";

export const sshCertCommand: CliCommand<{ file?: string; publicKeyFile?: string }> = {
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
  ],
  configure(command) {
    command
      .option("-f, --file <path>", "where to write the certificate (default: <public key>-cert.pub)")
      .option(
        "-p, --public-key-file <path>",
        "the public key to certify; its private key must be next to it",
      );
  },
  async run(ctx, args) {
    if (!args.file && !args.publicKeyFile)
      throw new CliUsageError("--file or --public-key-file must be provided.");
    const folder = dirname(resolve(args.file ?? (args.publicKeyFile as string)));
    const session = await openSession(ctx.env);
    const keys = await loadOrCreateKeyPair(args.publicKeyFile && resolve(args.publicKeyFile), folder);
    if (keys.generated) {
      ctx.stderr.write(
        `${folder} contains sensitive information (id_ed25519, id_ed25519.pub). Please delete once this certificate is no longer being used.\n`,
      );
    }
    const file = resolve(args.file ?? `${keys.publicKeyFile.replace(/\.pub$/, "")}-cert.pub`);
    let issued: Awaited<ReturnType<typeof requestCertificate>>;
    try {
      issued = await requestCertificate(session, keys, file);
    } catch (error) {
      const requirements = challengeOf(error);
      if (requirements === undefined || session.account.user.type !== "user") throw error;
      if (requirements.includes("compliantDevice")) throw new DeviceComplianceRequiredError();
      await stepUp(session, requirements, {
        env: ctx.env,
        print: (l) => ctx.stderr.write(`${l}\n`),
        signal: ctx.signal,
      });
      issued = await requestCertificate(session, keys, file);
    }
    const { certificate } = issued;
    const until = new Date(Number(certificate.validBefore) * 1000);
    ctx.stderr.write(
      `Generated SSH certificate ${file} is valid until ${until.toLocaleString()} in local time.\n`,
    );
    return {
      certificateFile: file,
      privateKeyFile: keys.privateKeyFile,
      principal: certificate.principals[0],
      keyId: certificate.keyId,
      serial: certificate.serial.toString(),
      validAfter: new Date(Number(certificate.validAfter) * 1000).toISOString(),
      validBefore: until.toISOString(),
    };
  },
};
