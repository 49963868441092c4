import { createHash, randomBytes, webcrypto, X509Certificate } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { makeDirectory } from "../shared/make-directory.ts";
import { ServerStateError } from "./errors.ts";

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 of the DER certificate, `AA:BB:…`: what a client pins or compares on first use. */
  readonly fingerprint: string;
  /** True when this call made a new key and certificate (first start, or new names). */
  readonly created: boolean;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const VALID_DAYS = 825; // the longest lifetime clients (Apple's rule) still accept for a server certificate
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
/** The subject (and issuer) of the certificates this module makes; others are the operator's own. */
const OWN_NAME = "CN=hostpass server";
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
/** The library's WebCrypto types (DOM lib) for Node's implementation of the same API. */
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
type X509Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"];
const crypto = webcrypto as unknown as X509Crypto;

/**
 * The server's TLS key and self-signed certificate in `<dataDir>/tls/`, made with @peculiar/x509
 * over WebCrypto (no `openssl` process). Reused while it names every host in `hostNames` and is
 * not about to expire; a certificate this module made is replaced (new key) when it does not, so
 * a new `--public-url` gets a certificate that names it. A certificate the operator put there is
 * kept as it is.
 */
export async function loadOrCreateTls(
  dataDir: string,
  hostNames: readonly string[],
  now: Date = new Date(),
): Promise<TlsMaterial> {
  const dir = join(dataDir, "tls");
  await makeDirectory(dir, 0o700);
  const keyPath = join(dir, "server-key.pem");
  const certPath = join(dir, "server-cert.pem");
  const existing = await readExisting(keyPath, certPath);
  if (existing !== undefined && !needsReplacing(existing.cert, hostNames, now)) {
    return { ...existing, fingerprint: fingerprintOf(existing.cert), created: false };
  }
  const { key, cert } = await selfSign(hostNames, now);
  // Key first: a crash between the two leaves a key without its certificate, which the next
  // start replaces; never a certificate whose key is lost.
  await writeFileAtomic(keyPath, key, 0o600);
  await writeFileAtomic(certPath, cert, 0o644);
  return { key, cert, fingerprint: fingerprintOf(cert), created: true };
}

async function readExisting(
  keyPath: string,
  certPath: string,
): Promise<{ key: string; cert: string } | undefined> {
  try {
    const info = await stat(keyPath);
    if ((info.mode & 0o077) !== 0)
      throw new ServerStateError(`${keyPath} is readable by other users; chmod 600 it`);
    const [key, cert] = await Promise.all([readFile(keyPath, "utf8"), readFile(certPath, "utf8")]);
    return { key, cert };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function needsReplacing(pem: string, hostNames: readonly string[], now: Date): boolean {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (cause) {
    throw new ServerStateError("the TLS certificate in the data directory cannot be read", { cause });
  }
  const ours = cert.subject === OWN_NAME && cert.issuer === OWN_NAME;
  if (!ours) return false;
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return true;
  const named = new Set((cert.subjectAltName ?? "").split(", ").map(canonicalAltName));
  return subjectAltNames(hostNames).some((n) => !named.has(canonicalAltName(`${n.type}:${n.value}`)));
}

/** Node prints IPv6 names expanded (`0:0:0:0:0:0:0:1`); the URL parser gives one spelling per address. */
function canonicalAltName(text: string): string {
  const lower = text.toLowerCase();
  if (!lower.startsWith("ip address:")) return lower;
  const ip = lower.slice("ip address:".length);
  return `ip address:${isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname : ip}`;
}

async function selfSign(hostNames: readonly string[], now: Date): Promise<{ key: string; cert: string }> {
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as X509Keys;
  const notBefore = new Date(now.getTime() - 5 * 60_000); // clients with a slightly slow clock
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: `01${randomBytes(15).toString("hex")}`, // positive, 128 bits
      name: OWN_NAME,
      notBefore,
      notAfter: new Date(notBefore.getTime() + VALID_DAYS * 24 * 3600 * 1000),
      signingAlgorithm: ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          subjectAltNames(hostNames).map((n) => ({
            type: n.type === "IP Address" ? "ip" : "dns",
            value: n.value,
          })),
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END PRIVATE KEY-----\n`;
  const cert = `${certificate.toString("pem").replace(/\r\n/g, "\n")}\n`;
  new X509Certificate(cert); // refuse to store anything Node cannot read back
  return { key: key.replace(/\n\n/g, "\n"), cert };
}

export interface AltName {
  /** As Node's `X509Certificate.subjectAltName` prints it. */
  readonly type: "DNS" | "IP Address";
  readonly value: string;
}

/** localhost and the loopback addresses, plus every IP and strict DNS name given (wildcards dropped). */
export function subjectAltNames(hostNames: readonly string[]): AltName[] {
  const out = new Map<string, AltName>();
  const add = (n: AltName) => out.set(`${n.type}:${n.value}`, n);
  for (const host of ["localhost", "127.0.0.1", "::1", ...hostNames]) {
    const bare = host.replace(/^\[|\]$/g, "");
    if (isIP(bare)) {
      if (bare !== "0.0.0.0" && bare !== "::") add({ type: "IP Address", value: bare });
    } else if (HOSTNAME.test(bare)) {
      add({ type: "DNS", value: bare.toLowerCase() });
    }
  }
  return [...out.values()];
}

function fingerprintOf(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash("sha256")
    .update(der)
    .digest("hex")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:");
}
