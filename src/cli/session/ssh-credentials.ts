/**
 * The client side of certificate issuance: load or make the key pair (in memory: nothing is
 * written before the service has issued), prove possession of it, get a Linux VM Sign-In token
 * (DPoP-bound to the key), ask for a certificate, and on
 * a claims challenge sign in again in the browser (interactive commands only).
 */
import type { KeyObject } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { createDeviceProof, createKeyProof } from "../../ca/index.ts";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
import { makeDirectory } from "../../shared/make-directory.ts";
import { LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE } from "../../shared/well-known.ts";
import {
  type Certificate,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  type PublicKey,
  parseCertificateText,
  parsePrivateKey,
  parsePublicKey,
} from "../../ssh/index.ts";
import { CliUsageError, SignInRequiredError } from "../errors.ts";
import { accessTokenFor, type Session } from "./context.ts";
import { loadDevice } from "./device.ts";
import { expectOk, http } from "./http.ts";
import { challengeOf, DeviceComplianceRequiredError, stepUp } from "./step-up.ts";

export interface KeyPairInMemory {
  readonly privateKey: KeyObject;
  readonly publicKey: PublicKey;
}

export interface KeyFiles extends KeyPairInMemory {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
}

export const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** `publicKeyFile` and its private key beside it (the same name without `.pub`), checked to match. */
export async function loadKeyPair(publicKeyFile: string): Promise<KeyFiles> {
  const privateKeyFile = publicKeyFile.replace(/\.pub$/, "");
  if (privateKeyFile === publicKeyFile || !(await exists(privateKeyFile))) {
    throw new CliUsageError(
      `the private key ${privateKeyFile} is needed next to ${publicKeyFile}: the service certifies a key only after proof of possession`,
    );
  }
  const read = (path: string) =>
    readFile(path, "utf8").catch((cause: NodeJS.ErrnoException) => {
      throw new CliUsageError(`cannot read ${path} (${cause.code ?? cause.message})`, { cause });
    });
  const publicKey = parsePublicKey((await read(publicKeyFile)).trim());
  const parsed = parsePrivateKey(await read(privateKeyFile));
  if (Buffer.compare(parsed.publicKey.blob, publicKey.blob) !== 0)
    throw new CliUsageError(`${privateKeyFile} does not match ${publicKeyFile}`);
  return { privateKeyFile, publicKeyFile, privateKey: parsed.privateKey, publicKey };
}

/** A new Ed25519 pair, in memory only. */
export function newKeyPair(): KeyPairInMemory {
  return generateKeyPair("ssh-ed25519");
}

/** Writes a pair as OpenSSH files (private 0600), creating the folder (0700) when missing. */
export async function saveKeyPair(pair: KeyPairInMemory, privateKeyFile: string): Promise<KeyFiles> {
  await makeDirectory(dirname(privateKeyFile));
  await writeFileAtomic(privateKeyFile, formatPrivateKey(pair.privateKey, "hostpass"), 0o600);
  await writeFileAtomic(`${privateKeyFile}.pub`, `${formatPublicKey(pair.publicKey, "hostpass")}\n`, 0o644);
  return { ...pair, privateKeyFile, publicKeyFile: `${privateKeyFile}.pub` };
}

export interface IssuedCertificate {
  readonly certificate: Certificate;
  /** The certificate line as the service sent it, for a `-cert.pub` file. */
  readonly text: string;
}

async function requestOnce(session: Session, keys: KeyPairInMemory): Promise<IssuedCertificate> {
  const url = `${session.cloud.endpoint}/ssh/certificates`;
  // Linux VM Sign-In tokens are always DPoP-bound to the key being certified (users and service
  // principals alike): a token stolen on the way could not certify another key.
  const tokens = await accessTokenFor(session, LINUX_VM_SIGN_IN_RESOURCE, LINUX_VM_SIGN_IN_SCOPE, {
    dpopKey: keys.privateKey,
  });
  if (tokens.token_type.toLowerCase() !== "dpop")
    throw new CliUsageError("the service returned an unbound token for Linux VM Sign-In");
  const proof = await createKeyProof(keys.privateKey, keys.publicKey, {
    method: "POST",
    url,
    accessToken: tokens.access_token,
  });
  // A registered device proves itself on every request, for device-compliance policies.
  const device = await loadDevice(session.dir, session.cloud.name);
  const deviceProof: Record<string, string> = device
    ? {
        "x-hostpass-device": await createDeviceProof(device.privateKey, device.publicJwk, {
          method: "POST",
          url,
          accessToken: tokens.access_token,
        }),
      }
    : {};
  const res = await http(url, {
    json: { publicKey: formatPublicKey(keys.publicKey) },
    headers: { authorization: `DPoP ${tokens.access_token}`, dpop: proof, ...deviceProof },
    ...(session.cloud.caFile ? { caFile: session.cloud.caFile } : {}),
  });
  const body = expectOk(res, "certificate request") as { certificate: string };
  const certificate = parseCertificateText(body.certificate);
  if (Buffer.compare(certificate.key.blob, keys.publicKey.blob) !== 0)
    throw new CliUsageError("the service returned a certificate for another key");
  return { certificate, text: `${body.certificate.trim()}\n` };
}

export interface IssueOptions {
  /** May sign in again in the browser when conditional access asks for more (never in `ssh config`'s renewals). */
  readonly interactive: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly print: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** A certificate for `keys`, stepping up once on a claims challenge when interactive. */
export async function issueCertificate(
  session: Session,
  keys: KeyPairInMemory,
  options: IssueOptions,
): Promise<IssuedCertificate> {
  try {
    return await requestOnce(session, keys);
  } catch (error) {
    const requirements = challengeOf(error);
    if (requirements === undefined || session.account.user.type !== "user") throw error;
    if (requirements.includes("compliantDevice")) throw new DeviceComplianceRequiredError();
    if (!options.interactive)
      throw new SignInRequiredError(
        `Conditional access requires ${requirements.join(", ") || "a new sign-in"} for a new certificate: run \`hostpass ssh cert --file <file>\` or \`hostpass ssh vm\` once in a terminal.`,
      );
    await stepUp(session, requirements, {
      env: options.env,
      print: options.print,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return requestOnce(session, keys);
  }
}
