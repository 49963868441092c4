/**
 * Rejects Ed25519 public keys that are non-canonical or of small order. OpenSSL imports any 32
 * bytes as an Ed25519 key; a small-order key lets one signature verify for many messages, so a CA
 * must never certify one. The 8-torsion subgroup has 8 points sharing the 5 y-coordinates below
 * (the sign bit picks x); ed25519-order.test.ts recomputes them with curve arithmetic.
 */
export const SMALL_ORDER_Y: readonly string[] = [
  "0000000000000000000000000000000000000000000000000000000000000000", // order 4
  "0100000000000000000000000000000000000000000000000000000000000000", // identity
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2 (y = p - 1)
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
];
const BLOCKED = new Set(SMALL_ORDER_Y);

export function isStrongEd25519Point(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  const y = Buffer.from(bytes);
  y[31] = (y[31] as number) & 0x7f;
  return isCanonicalY(y) && !BLOCKED.has(y.toString("hex"));
}

/** y < p = 2^255 - 19, read little-endian (with the sign bit already cleared). */
function isCanonicalY(y: Uint8Array): boolean {
  if (y[31] !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (y[i] !== 0xff) return true;
  return (y[0] as number) < 0xed;
}
