/**
 * A HyperLogLog sketch over 64-bit hashes (given as two unsigned 32-bit halves): 2^14 registers (16 KiB), standard error 1.04/√16384
 * ≈ 0.8%. Estimation uses Ertl's improved estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), which is unbiased from 0 up to far beyond 2^32 without the
 * empirical bias tables of HLL++ or a switch to linear counting.
 */
const P = 14;
const M = 1 << P;
/** Bits left for the rank once the register index is taken: 64 − P. */
const Q = 64 - P;
const LOW_BITS_OF_HIGH_WORD = 32 - P;
const LOW_MASK = (1 << LOW_BITS_OF_HIGH_WORD) - 1;

export class HyperLogLog {
  private readonly registers = new Uint8Array(M);

  /** Adds a uniformly distributed 64-bit hash: its high and low 32 bits, each unsigned. */
  addHash(high: number, low: number): void {
    const index = high >>> LOW_BITS_OF_HIGH_WORD;
    const rest = high & LOW_MASK;
    // Rank: position of the first 1 bit in the Q bits after the index (Q + 1 when all are 0).
    const rank = rest !== 0 ? Math.clz32(rest) - P + 1 : low !== 0 ? LOW_BITS_OF_HIGH_WORD + Math.clz32(low) + 1 : Q + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  estimate(): number {
    const histogram = new Array<number>(Q + 2).fill(0);
    for (const r of this.registers) histogram[r]++;
    let z = M * tau(1 - histogram[Q + 1] / M);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + histogram[k]);
    z += M * sigma(histogram[0] / M);
    return Math.round((M * M) / (2 * Math.LN2 * z));
  }
}

function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}
