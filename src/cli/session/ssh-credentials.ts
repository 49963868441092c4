/**
 * The client side of certificate issuance: find or make the key pair, prove possession of it,
 * get a Linux VM Sign-In token (DPoP-bound to the key where the server supports the key type),
 * and ask the service for a certificate.
 */
import type { KeyObject } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createDeviceProof, createKeyProof } from "../../ca/index.ts";
import { writeFileAtomic } from "../../shared/atomic-write.ts";
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
import { CliUsageError } from "../errors.ts";
import { accessTokenFor, type Session } from "./context.ts";
import { loadDevice } from "./device.ts";
import { expectOk, http } from "./http.ts";

export interface KeyFiles {
  readonly privateKeyFile: string;
  readonly publicKeyFile: string;
  readonly privateKey: KeyObject;
  readonly publicKey: PublicKey;
  /** True when this call generated the pair. */
  readonly generated: boolean;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Uses `publicKeyFile` (its private key beside it, without `.pub`), or makes an Ed25519 pair in `folder`. */
export async function loadOrCreateKeyPair(
  publicKeyFile: string | undefined,
  folder: string,
): Promise<KeyFiles> {
  if (publicKeyFile) {
    const privateKeyFile = publicKeyFile.replace(/\.pub$/, "");
    if (privateKeyFile === publicKeyFile || !(await exists(privateKeyFile))) {
      throw new CliUsageError(
        `the private key ${privateKeyFile} is needed next to ${publicKeyFile}: the service certifies a key only after proof of possession`,
      );
    }
    const publicKey = parsePublicKey(await readFile(publicKeyFile, "utf8"));
    const parsed = parsePrivateKey(await readFile(privateKeyFile, "utf8"));
    if (Buffer.compare(parsed.publicKey.blob, publicKey.blob) !== 0)
      throw new CliUsageError(`${privateKeyFile} does not match ${publicKeyFile}`);
    return { privateKeyFile, publicKeyFile, privateKey: parsed.privateKey, publicKey, generated: false };
  }
  const privateKeyFile = join(folder, "id_ed25519");
  if (await exists(privateKeyFile)) return loadOrCreateKeyPair(`${privateKeyFile}.pub`, folder);
  const pair = generateKeyPair("ssh-ed25519");
  await writeFileAtomic(privateKeyFile, formatPrivateKey(pair.privateKey, "hostpass"), 0o600);
  await writeFileAtomic(`${privateKeyFile}.pub`, `${formatPublicKey(pair.publicKey, "hostpass")}\n`, 0o644);
  return { privateKeyFile, publicKeyFile: `${privateKeyFile}.pub`, ...pair, generated: true };
}

/** Key types oidc-provider accepts for DPoP at the token endpoint; others get an unbound token. */
const DPOP_TOKEN_KEY_TYPES = new Set(["ssh-ed25519", "ecdsa-sha2-nistp256"]);

export interface IssuedCertificateFile {
  readonly certificate: Certificate;
  readonly certificateFile: string;
}

export async function requestCertificate(
  session: Session,
  keys: KeyFiles,
  certificateFile: string,
): Promise<IssuedCertificateFile> {
  const url = `${session.cloud.endpoint}/ssh/certificates`;
  const bind = DPOP_TOKEN_KEY_TYPES.has(keys.publicKey.type) && session.account.user.type === "user";
  const tokens = await accessTokenFor(
    session,
    LINUX_VM_SIGN_IN_RESOURCE,
    LINUX_VM_SIGN_IN_SCOPE,
    bind ? { dpopKey: keys.privateKey } : {},
  );
  const scheme = tokens.token_type.toLowerCase() === "dpop" ? "DPoP" : "Bearer";
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
    headers: { authorization: `${scheme} ${tokens.access_token}`, dpop: proof, ...deviceProof },
    ...(session.cloud.caFile ? { caFile: session.cloud.caFile } : {}),
  });
  const body = expectOk(res, "certificate request") as { certificate: string };
  const certificate = parseCertificateText(body.certificate);
  if (Buffer.compare(certificate.key.blob, keys.publicKey.blob) !== 0)
    throw new CliUsageError("the service returned a certificate for another key");
  await writeFileAtomic(certificateFile, `${body.certificate.trim()}\n`, 0o644);
  return { certificate, certificateFile };
}
