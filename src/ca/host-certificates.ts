/**
 * Host certificates (PRODUCT.md §5: no host-key prompt, ever): the host CA signs the sshd host
 * keys an agent registered at join, for the names and addresses clients reach the machine by, so
 * a client with the `@cert-authority` line (ssh/trust-lines.ts) trusts the host without a prompt.
 */
import { randomBytes } from "node:crypto";
import { formatCertificate, parsePublicKey, type Signer, signCertificate } from "../ssh/index.ts";

/** Host certificates live 30 days; the service signs them again before that (a new stream, a CA change). */
export const HOST_CERTIFICATE_LIFETIME_SECONDS = 30 * 86_400;
const BACKDATE_SECONDS = 300;

function serial(): bigint {
  for (;;) {
    const n = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
    if (n !== 0n) return n;
  }
}

export function signHostCertificates(input: {
  readonly signer: Signer;
  /** OpenSSH public key lines; certificates and unparsable lines are skipped. */
  readonly hostKeys: readonly string[];
  /** Host names and addresses (at most 256, each a printable token). */
  readonly principals: readonly string[];
  readonly keyId: string;
  readonly now: Date;
}): string[] {
  const principals = [...new Set(input.principals.filter((p) => /^[\x21-\x7e]{1,255}$/.test(p)))].slice(
    0,
    256,
  );
  if (principals.length === 0) return [];
  const now = BigInt(Math.floor(input.now.getTime() / 1000));
  const out: string[] = [];
  for (const line of input.hostKeys) {
    let key: ReturnType<typeof parsePublicKey>;
    try {
      key = parsePublicKey(line);
    } catch {
      continue;
    }
    const cert = signCertificate(
      {
        kind: "host",
        key,
        serial: serial(),
        keyId: input.keyId,
        principals,
        validAfter: now - BigInt(BACKDATE_SECONDS),
        validBefore: now + BigInt(HOST_CERTIFICATE_LIFETIME_SECONDS),
        criticalOptions: {},
        extensions: {},
      },
      input.signer,
    );
    out.push(formatCertificate(cert).trim());
  }
  return out;
}
