/**
 * The public key of a new machine's local (break-glass) administrator, as `az vm create` finds
 * it: `--ssh-key-values <file>`, or `--generate-ssh-keys` (~/.ssh/id_ed25519, made when missing),
 * or else an existing ~/.ssh/id_ed25519.pub / id_rsa.pub. None is fine: directory login needs none.
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
import { makeDirectory } from "../../shared/make-directory.ts";
import { formatPrivateKey, formatPublicKey, generateKeyPair, parsePublicKey } from "../../ssh/index.ts";
import type { CliContext } from "../command.ts";
import { CliUsageError } from "../errors.ts";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function readPublicKey(path: string, flag: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((cause: NodeJS.ErrnoException) => {
    throw new CliUsageError(`${flag}: cannot read ${path} (${cause.code ?? cause.message})`, { cause });
  });
  try {
    return formatPublicKey(parsePublicKey(text.trim()));
  } catch (cause) {
    throw new CliUsageError(`${flag}: ${path} is not an SSH public key`, { cause });
  }
}

export async function adminKeyFor(
  ctx: CliContext,
  args: { readonly sshKeyValues?: string; readonly generateSshKeys?: boolean },
): Promise<string | undefined> {
  if (args.sshKeyValues) return readPublicKey(args.sshKeyValues, "--ssh-key-values");
  const sshDir = join(ctx.env.HOME || homedir(), ".ssh");
  const ed25519 = join(sshDir, "id_ed25519");
  if (args.generateSshKeys && !(await exists(`${ed25519}.pub`))) {
    if (await exists(ed25519))
      throw new CliUsageError(`${ed25519} exists without ${ed25519}.pub; give --ssh-key-values`);
    await makeDirectory(sshDir);
    const pair = generateKeyPair("ssh-ed25519");
    await writeFileAtomic(ed25519, formatPrivateKey(pair.privateKey, "hostpass-admin"), 0o600);
    await writeFileAtomic(`${ed25519}.pub`, `${formatPublicKey(pair.publicKey, "hostpass-admin")}\n`, 0o644);
    if (!ctx.globals.onlyShowErrors)
      ctx.stderr.write(`SSH key files '${ed25519}' and '${ed25519}.pub' have been generated under ~/.ssh.\n`);
  }
  for (const candidate of [`${ed25519}.pub`, join(sshDir, "id_rsa.pub")])
    if (await exists(candidate)) return readPublicKey(candidate, "--generate-ssh-keys");
  return undefined;
}
