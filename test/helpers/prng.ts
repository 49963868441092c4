/**
 * mulberry32: a small, fast, seeded generator, so a benchmark builds the same tenant every run and
 * a randomized test names its seed and can be run again. `prng(seed)(n)` is an integer in [0, n).
 */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
