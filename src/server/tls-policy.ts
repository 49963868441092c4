/**
 * How the server speaks TLS (issue 11 item 9): TLS 1.3, or TLS 1.2 with forward-secret (ECDHE)
 * AEAD suites only: no CBC, no static RSA key exchange, no SHA-1 MACs, nothing older than 1.2.
 * Node puts the `TLS_*` names in the TLS 1.3 list and the rest in the 1.2 list.
 */
import type { SecureContextOptions, TlsOptions } from "node:tls";

export const TLS_CIPHERS: readonly string[] = Object.freeze([
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_AES_128_GCM_SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
]);

export const TLS_SERVER_OPTIONS: Readonly<
  Pick<TlsOptions & SecureContextOptions, "minVersion" | "ciphers" | "honorCipherOrder">
> = Object.freeze({
  minVersion: "TLSv1.2",
  ciphers: TLS_CIPHERS.join(":"),
  // The server's order (strongest first), not the client's.
  honorCipherOrder: true,
});
