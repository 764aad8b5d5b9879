import { describe, expect, it } from 'vitest';
import type { CanonicalRow } from '../../../src/connectors/contract.js';
import { ExpectedPartitions } from '../../../src/engine/verify/expected-partitions.js';
import { keyComparator } from '../../../src/engine/verify/key-order.js';
import { MemoryChecksum } from '../../../src/engine/verify/memory-checksum.js';

/**
 * Verify's expected side must stay bounded by bytes, not only by rows: wide rows (notes), or a
 * target whose quantiles cut too few ranges (it lacks most of the source's keys), must not make
 * one range hold the table. 2,000 rows of ~1 KiB against a 64 KiB bound: every range handed out
 * holds at most about the bound, and together they hold every row exactly once, each within its
 * range.
 */
const compare = keyComparator(['integer']);
const ROWS: CanonicalRow[] = Array.from({ length: 2000 }, (_, i) => ({
  key: [String((i * 7919) % 2000)],
  values: [`note ${i} ${'x'.repeat(1000)}`],
}));
const inRange = (key: readonly string[], range: { after?: readonly string[]; upTo?: readonly string[] }) =>
  (!range.after || compare(key, range.after) > 0) && (!range.upTo || compare(key, range.upTo) <= 0);

describe('ExpectedPartitions holds one byte-bounded range at a time', () => {
  it.each([
    ['one range (a table the target quantiles do not cut)', [] as string[][]],
    ['two ranges cut at the target quantiles', [['999']]],
  ])('%s: ranges of at most ~64 KiB, every row once, in its range', async (_name, bounds) => {
    // The target's quantiles, as verify's target session gives them (here: the same keys).
    const target = new MemoryChecksum([...ROWS], compare);
    const partitions = await ExpectedPartitions.open(bounds, compare, { maxBytes: 64 << 10 });
    for (const [i, row] of ROWS.entries()) await partitions.add(row, { sourceKey: `["s${i}"]`, sourceTexts: [] });
    const seen: string[] = [];
    let largest = 0;
    try {
      for (let i = 0; i < partitions.partitions; i++) {
        for await (const part of partitions.ranges(i, (range, parts) => target.splitPoints(range, parts))) {
          largest = Math.max(largest, part.rows.length);
          for (const r of part.rows) {
            expect(inRange(r.key, part.range)).toBe(true);
            expect(part.origins.get(JSON.stringify(r.key))?.sourceKey).toMatch(/^\["s\d+"\]$/);
            seen.push(r.key[0]);
          }
        }
      }
    } finally {
      await partitions.close();
    }
    // ~1 KiB per row: about 64 rows per range; quantile cuts are approximate, so allow twice.
    expect(largest).toBeLessThanOrEqual(128);
    expect(seen.sort()).toEqual(ROWS.map((r) => r.key[0]).sort());
  });
});
