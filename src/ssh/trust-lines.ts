/**
 * The lines that make OpenSSH trust a hostpass CA: a `TrustedUserCAKeys` file on hosts, and an
 * `@cert-authority` known_hosts line on clients (so no host-key prompt is ever shown).
 */
import { formatPublicKey, type PublicKey } from "./keys.ts";

/** One CA key per line; during a rotation both the new and the old key are listed. */
export function renderTrustedUserCaKeys(caKeys: readonly PublicKey[], comment = "hostpass user CA"): string {
  if (caKeys.length === 0) throw new TypeError("at least one CA key is required");
  return caKeys.map((key) => `${formatPublicKey(key, comment)}\n`).join("");
}

/** known_hosts host patterns: names, addresses, `[host]:port`, with `*` and `?` wildcards. */
const HOST_PATTERN = /^!?(?:[A-Za-z0-9._*?-]+|\[[A-Za-z0-9._:*?-]+\]:[0-9]{1,5}|[0-9a-fA-F:]+)$/;

export function renderCertAuthorityLine(
  hostPatterns: readonly string[],
  caKey: PublicKey,
  comment = "hostpass host CA",
): string {
  if (hostPatterns.length === 0) throw new TypeError("at least one host pattern is required");
  for (const pattern of hostPatterns) {
    if (!HOST_PATTERN.test(pattern))
      throw new TypeError(`invalid known_hosts host pattern ${JSON.stringify(pattern)}`);
  }
  return `@cert-authority ${hostPatterns.join(",")} ${formatPublicKey(caKey, comment)}\n`;
}
