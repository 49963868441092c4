import assert from "node:assert/strict";
import { test } from "node:test";
import { isStrongEd25519Point, SMALL_ORDER_Y } from "./ed25519-order.ts";

// Curve arithmetic in BigInt, only to check the blocklist: -x^2 + y^2 = 1 + d x^2 y^2 over 2^255 - 19.
const P = 2n ** 255n - 19n;
const mod = (a: bigint) => ((a % P) + P) % P;
function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  let x = mod(b);
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = mod(r * x);
    x = mod(x * x);
  }
  return r;
}
const inv = (a: bigint) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const I = pow(2n, (P - 1n) / 4n);

function decode(hex: string): { x: bigint; y: bigint } | null {
  const b = Buffer.from(hex, "hex");
  const sign = (b[31] as number) >> 7;
  b[31] = (b[31] as number) & 0x7f;
  const y = BigInt(`0x${Buffer.from(b).reverse().toString("hex")}`);
  if (y >= P) return null;
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * v ** 3n * pow(u * v ** 7n, (P - 5n) / 8n));
  if (mod(v * x * x) !== u) {
    if (mod(v * x * x) !== mod(-u)) return null;
    x = mod(x * I);
  }
  if (Number(x & 1n) !== sign) x = mod(-x);
  return { x, y };
}

function double({ x, y }: { x: bigint; y: bigint }): { x: bigint; y: bigint } {
  const dxy = mod(D * x * x * y * y);
  return { x: mod(2n * x * y * inv(mod(1n + dxy))), y: mod((y * y + x * x) * inv(mod(1n - dxy))) };
}

test("the blocklist is exactly the y-coordinates of the 8-torsion subgroup", () => {
  const points = new Set<string>();
  for (const y of SMALL_ORDER_Y) {
    for (const signed of [y, y.slice(0, 62) + (Number.parseInt(y.slice(62), 16) | 0x80).toString(16)]) {
      const p = decode(signed);
      if (!p) continue;
      const p8 = double(double(double(p)));
      assert.deepEqual(p8, { x: 0n, y: 1n }, `${signed} is of small order`);
      points.add(`${p.x}/${p.y}`);
      assert.equal(isStrongEd25519Point(Buffer.from(signed, "hex")), false);
    }
  }
  // The 8-torsion subgroup has exactly 8 points; all of them are covered.
  assert.equal(points.size, 8);
});

test("real keys pass; non-canonical encodings fail", () => {
  const base = Buffer.from("5866666666666666666666666666666666666666666666666666666666666666", "hex");
  assert.equal(isStrongEd25519Point(base), true);
  const p = Buffer.from("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "hex");
  assert.equal(isStrongEd25519Point(p), false);
  assert.equal(isStrongEd25519Point(new Uint8Array(31)), false);
});
