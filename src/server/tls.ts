import { execFile } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { isIP } from "node:net";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { writeFileAtomic } from "../shared/atomic-write.ts";
import { ServerStateError } from "./errors.ts";

const run = promisify(execFile);

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 of the DER certificate, `AA:BB:…`: what a client pins or compares on first use. */
  readonly fingerprint: string;
  readonly created: boolean;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const VALID_DAYS = 825; // the longest lifetime clients (Apple's rule) still accept for a server certificate

/**
 * The server's TLS key and self-signed certificate, created in `<dataDir>/tls/` on first start and
 * reused afterwards. node:crypto can make the key but not an X.509 certificate, so the certificate
 * comes from Debian's `openssl` binary, run without a shell, with the key read from a 0600 file and
 * the config (fixed text plus validated names) from a short-lived 0600 file.
 */
export async function loadOrCreateTls(dataDir: string, hostNames: readonly string[]): Promise<TlsMaterial> {
  const dir = join(dataDir, "tls");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, "server-key.pem");
  const certPath = join(dir, "server-cert.pem");
  try {
    const info = await stat(keyPath);
    if ((info.mode & 0o077) !== 0)
      throw new ServerStateError(`${keyPath} is readable by other users; chmod 600 it`);
    const [key, cert] = await Promise.all([readFile(keyPath, "utf8"), readFile(certPath, "utf8")]);
    return { key, cert, fingerprint: fingerprintOf(cert), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const key = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  await writeFileAtomic(keyPath, key, 0o600);
  const cert = await selfSign(keyPath, hostNames);
  await writeFileAtomic(certPath, cert, 0o644);
  return { key, cert, fingerprint: fingerprintOf(cert), created: true };
}

async function selfSign(keyPath: string, hostNames: readonly string[]): Promise<string> {
  // A config file, not /dev/stdin: Node's stdio pipes are sockets, which openssl cannot fopen.
  const configPath = join(dirname(keyPath), ".openssl.cnf");
  await writeFileAtomic(configPath, opensslConfig(hostNames), 0o600);
  const args = ["req", "-x509", "-new", "-key", keyPath, "-config", configPath, "-sha256"];
  args.push("-days", String(VALID_DAYS), "-set_serial", `0x${randomBytes(16).toString("hex")}`);
  try {
    const { stdout } = await run("openssl", args, { timeout: 30_000, encoding: "utf8" });
    new X509Certificate(stdout); // refuse to store anything that is not a certificate
    return stdout;
  } catch (error) {
    throw new ServerStateError("could not create the TLS certificate with openssl (is it installed?)", {
      cause: error,
    });
  } finally {
    await rm(configPath, { force: true });
  }
}

/** Names go into openssl's config text, so only IPs and strict DNS names get there. */
export function subjectAltNames(hostNames: readonly string[]): string {
  const names = new Set(["DNS:localhost", "IP:127.0.0.1", "IP:::1"]);
  for (const host of hostNames) {
    if (isIP(host)) {
      if (host !== "0.0.0.0" && host !== "::") names.add(`IP:${host}`);
    } else if (HOSTNAME.test(host)) {
      names.add(`DNS:${host.toLowerCase()}`);
    }
  }
  return [...names].join(",");
}

function opensslConfig(hostNames: readonly string[]): string {
  return [
    "[req]",
    "distinguished_name=dn",
    "x509_extensions=ext",
    "prompt=no",
    "[dn]",
    "CN=hostpass server",
    "[ext]",
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${subjectAltNames(hostNames)}`,
    "subjectKeyIdentifier=hash",
    "",
  ].join("\n");
}

function fingerprintOf(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash("sha256")
    .update(der)
    .digest("hex")
    .toUpperCase()
    .replace(/(..)(?!$)/g, "$1:");
}
