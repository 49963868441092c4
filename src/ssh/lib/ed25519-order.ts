/**
 * Rejects Ed25519 public keys that are not canonical points of large order.
 * OpenSSL imports any 32 bytes as an Ed25519 key; a small-order key lets a signature verify
 * for many messages, so a CA must never certify one. We decode the point and check [8]P != O.
 */
const P = 2n ** 255n - 19n;
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

function mod(a: bigint): bigint {
  const r = a % P;
  return r >= 0n ? r : r + P;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = mod(result * b);
    b = mod(b * b);
    e >>= 1n;
  }
  return result;
}

function inv(a: bigint): bigint {
  return pow(a, P - 2n);
}

/** Returns the affine point, or null when the bytes are not a canonical curve point. */
function decode(bytes: Uint8Array): { x: bigint; y: bigint } | null {
  const copy = Uint8Array.from(bytes);
  const sign = ((copy[31] as number) >> 7) & 1;
  copy[31] = (copy[31] as number) & 0x7f;
  const y = BigInt(`0x${Buffer.from(copy).reverse().toString("hex")}`);
  if (y >= P) return null;
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * v ** 3n * pow(u * v ** 7n, (P - 5n) / 8n));
  const check = mod(v * x * x);
  if (check !== u) {
    if (check !== mod(-u)) return null;
    x = mod(x * SQRT_M1);
  }
  if (x === 0n && sign === 1) return null;
  if (Number(x & 1n) !== sign) x = mod(-x);
  return { x, y };
}

/** Point doubling in affine coordinates on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2. */
function double({ x, y }: { x: bigint; y: bigint }): { x: bigint; y: bigint } {
  const xy = mod(x * y);
  const dxy = mod(D * xy * xy);
  return {
    x: mod(2n * xy * inv(mod(1n + dxy))),
    y: mod((y * y + x * x) * inv(mod(1n - dxy))),
  };
}

export function isStrongEd25519Point(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  const p = decode(bytes);
  if (p === null) return false;
  const p8 = double(double(double(p)));
  return !(p8.x === 0n && p8.y === 1n);
}
