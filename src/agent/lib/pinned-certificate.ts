/**
 * Trust on first use, pinned: `join --tls-fingerprint` connects once without verifying, takes the
 * service's certificate only if its SHA-256 fingerprint is the one the operator was given (what
 * `hostpass server` prints for its self-signed certificate), and from then on the agent verifies
 * the service against that certificate like any CA file.
 */
import { createHash, X509Certificate } from "node:crypto";
import { connect } from "node:tls";
import { ServiceUnreachableError } from "../../cli/session/errors.ts";
import { JoinFailedError } from "../errors.ts";

/** `AA:BB:…`, `aabb…` or `SHA256:AA:BB:…` → 64 lower-case hex digits. */
export function normalizeFingerprint(text: string): string {
  const hex = text
    .replace(/^sha256:/i, "")
    .replaceAll(":", "")
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new JoinFailedError(
      "--tls-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed)",
    );
  return hex;
}

export async function fetchPinnedCertificate(server: URL, fingerprint: string): Promise<string> {
  const expected = normalizeFingerprint(fingerprint);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({
      host: server.hostname,
      port: Number(server.port || 443),
      ...(/^[\d.]+$|:/.test(server.hostname) ? {} : { servername: server.hostname }),
      rejectUnauthorized: false, // checked below, against the pinned fingerprint
      timeout: 15_000,
    });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      if (!cert?.raw) reject(new JoinFailedError(`${server.origin} presented no certificate`));
      else resolve(cert.raw);
    });
    socket.once("timeout", () => socket.destroy(new Error("no TLS answer within 15 s")));
    socket.once("error", (cause) =>
      reject(new ServiceUnreachableError(`cannot reach ${server.origin}: ${cause.message}`, { cause })),
    );
  });
  const actual = createHash("sha256").update(raw).digest("hex");
  if (actual !== expected) {
    throw new JoinFailedError(
      `${server.origin}'s TLS certificate does not have the fingerprint given; refusing to join`,
    );
  }
  return new X509Certificate(raw).toString();
}
