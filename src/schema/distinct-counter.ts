import xxhash from 'xxhash-wasm';
import { HyperLogLog } from './hyperloglog.js';

export type Hash64 = (text: string) => bigint;

/** xxh64 of a string; the WebAssembly module is loaded once per process. */
let hasher: Promise<Hash64> | undefined;
export function loadHash64(): Promise<Hash64> {
  hasher ??= xxhash().then((api) => (text: string) => api.h64(text));
  return hasher;
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
    private readonly hash: Hash64,
    private readonly limits: DistinctLimits = DEFAULT_DISTINCT_LIMITS,
  ) {}

  add(text: string): void {
    if (this.exact) {
      if (this.exact.has(text)) return;
      this.exact.add(text);
      this.chars += text.length;
      if (this.exact.size > this.limits.maxValues || this.chars > this.limits.maxChars) this.spill(this.exact);
      return;
    }
    this.sketch?.addHash(this.hash(text));
  }

  get isExact(): boolean {
    return this.exact !== undefined;
  }

  count(): number {
    return this.exact ? this.exact.size : (this.sketch?.estimate() ?? 0);
  }

  private spill(values: Set<string>): void {
    const sketch = new HyperLogLog();
    for (const v of values) sketch.addHash(this.hash(v));
    this.sketch = sketch;
    this.exact = undefined;
  }
}
