import { describe, expect, it } from 'vitest';
import { addToSketch, DistinctCounter, loadHasher } from '../../../src/schema/distinct-counter.js';
import { HyperLogLog } from '../../../src/schema/hyperloglog.js';

describe('HyperLogLog', () => {
  it.each([0, 1, 100, 10_000, 100_000, 1_000_000])('estimates %i distinct values within 3%%', async (distinct) => {
    const hash = await loadHasher();
    const sketch = new HyperLogLog();
    // Every value twice: repeats must not count.
    for (let pass = 0; pass < 2; pass++) for (let i = 0; i < distinct; i++) addToSketch(sketch, hash, `value-${i}`);
    const estimate = sketch.estimate();
    if (distinct === 0) expect(estimate).toBe(0);
    else expect(Math.abs(estimate - distinct) / distinct).toBeLessThan(0.03);
  });
});

describe('DistinctCounter', () => {
  it('is exact under the value limit and an estimate above it', async () => {
    const counter = new DistinctCounter(await loadHasher(), { maxValues: 1_000, maxChars: 1_000_000 });
    for (let i = 0; i < 1_000; i++) counter.add(String(i % 1_000));
    for (let i = 0; i < 1_000; i++) counter.add(String(i));
    expect(counter.isExact).toBe(true);
    expect(counter.count()).toBe(1_000);
    for (let i = 0; i < 100_000; i++) counter.add(String(i));
    expect(counter.isExact).toBe(false);
    expect(Math.abs(counter.count() - 100_000) / 100_000).toBeLessThan(0.03);
  });

  it('switches to the estimate early for long values (bounded characters)', async () => {
    const counter = new DistinctCounter(await loadHasher(), { maxValues: 1_000_000, maxChars: 10_000 });
    for (let i = 0; i < 200; i++) counter.add(`${'x'.repeat(100)}${i}`);
    expect(counter.isExact).toBe(false);
    expect(Math.abs(counter.count() - 200)).toBeLessThanOrEqual(4);
  });
});
