import xxhash from 'xxhash-wasm';
import { HyperLogLog } from './hyperloglog.js';

/** A seeded 32-bit string hash (xxh32). */
export interface Hasher {
  h32(text: string, seed: number): number;
}

/** xxhash; the WebAssembly module is loaded once per process. */
let hasher: Promise<Hasher> | undefined;
export function loadHasher(): Promise<Hasher> {
  hasher ??= xxhash();
  return hasher;
}

/**
 * Two xxh32 with different seeds make the sketch's 64 hash bits: as random as one xxh64 for
 * counting, and twice as fast in JS (no BigInt per value).
 */
const SEED_HIGH = 0x9e3779b1;
const SEED_LOW = 0x85ebca77;
export function addToSketch(sketch: HyperLogLog, hash: Hasher, text: string): void {
  sketch.addHash(hash.h32(text, SEED_HIGH) >>> 0, hash.h32(text, SEED_LOW) >>> 0);
}

export interface DistinctLimits {
  /** Distinct values kept exactly before switching to the estimate. */
  readonly maxValues: number;
  /** UTF-16 code units kept exactly (so long text columns switch earlier and memory stays bounded). */
  readonly maxChars: number;
}

export const DEFAULT_DISTINCT_LIMITS: DistinctLimits = { maxValues: 50_000, maxChars: 4_000_000 };

/**
 * Counts distinct values: exactly with a Set while it stays under the limits, then with a
 * HyperLogLog estimate. The sketch is fed only after the switch (seeded with the Set's values),
 * so exact columns pay no hashing; since a sketch ignores repeats, the result is the same as if
 * it had seen every value.
 */
export class DistinctCounter {
  private exact: Set<string> | undefined = new Set();
  private chars = 0;
  private sketch: HyperLogLog | undefined;

  constructor(
    private readonly hash: Hasher,
    private readonly limits: DistinctLimits = DEFAULT_DISTINCT_LIMITS,
  ) {}

  add(text: string): void {
    if (this.exact) {
      const before = this.exact.size;
      this.exact.add(text);
      if (this.exact.size === before) return;
      this.chars += text.length;
      if (this.exact.size > this.limits.maxValues || this.chars > this.limits.maxChars) this.spill(this.exact);
      return;
    }
    if (this.sketch) addToSketch(this.sketch, this.hash, text);
  }

  get isExact(): boolean {
    return this.exact !== undefined;
  }

  count(): number {
    return this.exact ? this.exact.size : (this.sketch?.estimate() ?? 0);
  }

  private spill(values: Set<string>): void {
    const sketch = new HyperLogLog();
    for (const v of values) addToSketch(sketch, this.hash, v);
    this.sketch = sketch;
    this.exact = undefined;
  }
}
