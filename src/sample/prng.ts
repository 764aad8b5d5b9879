/**
 * Seeded, allocation-free randomness. Every random decision of the sample is a pure function of
 * (seed, salt, index), so a row can be regenerated (or referenced) from its index alone and the
 * output never depends on batch size or on the order in which tables are generated.
 */

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers with good avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of (seed, salt, index); `index` may be any integer below 2^53. */
export function hash32(seed: number, salt: number, index: number): number {
  const high = Math.floor(index / 0x100000000);
  return fmix32(fmix32(fmix32(seed ^ 0x9e3779b9) ^ Math.imul(salt, 0x27d4eb2f)) + (index >>> 0) + Math.imul(high, 0x165667b1));
}

/** Uniform float in [0, 1) from the same inputs as `hash32`. */
export function unit(seed: number, salt: number, index: number): number {
  return hash32(seed, salt, index) / 0x100000000;
}

/** mulberry32: a tiny, fast generator for the many draws one row needs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Picks a key of the choice with probability proportional to its weight. */
  choose<K extends string>(choice: WeightedChoice<K>): K {
    const target = this.next() * choice.total;
    const { keys, cumulative } = choice;
    for (let i = 0; i < keys.length - 1; i++) if (target < cumulative[i]) return keys[i];
    return keys[keys.length - 1];
  }
}

/** Weights prepared once (keys and running sums), so a draw allocates nothing. */
export interface WeightedChoice<K extends string> {
  readonly keys: readonly K[];
  readonly cumulative: readonly number[];
  readonly total: number;
}

export function weightedChoice<K extends string>(weights: Readonly<Record<K, number>>): WeightedChoice<K> {
  const keys = Object.keys(weights) as K[];
  let total = 0;
  const cumulative = keys.map((k) => {
    total += weights[k];
    return total;
  });
  return { keys, cumulative, total };
}

/**
 * Exactly `count` of the indices 0..rows-1 satisfy this, spread evenly and rotated by `offset`:
 * floor(j·count/rows) steps up by at most one per index (count ≤ rows), and it steps up exactly
 * `count` times. Used for planted dirt whose number must be exact even in tiny samples.
 */
export function isEvenlyPlaced(index: number, count: number, rows: number, offset: number): boolean {
  if (count <= 0 || rows <= 0) return false;
  const j = (index + offset) % rows;
  return Math.floor(((j + 1) * count) / rows) !== Math.floor((j * count) / rows);
}
