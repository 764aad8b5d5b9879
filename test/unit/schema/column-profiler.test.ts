import { describe, expect, it } from 'vitest';
import type { CanonicalType, Value } from '../../../src/core/types.js';
import type { ColumnProfile } from '../../../src/schema/analysis-types.js';
import { ColumnProfiler } from '../../../src/schema/column-profiler.js';
import { loadHasher } from '../../../src/schema/distinct-counter.js';

async function profile(values: readonly Value[], type: CanonicalType = { kind: 'text' }, declaredUnique = false): Promise<ColumnProfile> {
  const profiler = new ColumnProfiler(
    { name: 'c', type, nativeType: type.kind, nullable: true },
    { hash: await loadHasher(), picklistLimit: 50, declaredUnique },
  );
  for (const v of values) profiler.add(v);
  return profiler.finish();
}

describe('ColumnProfiler', () => {
  it('counts NULLs and blanks apart, and untrimmed values', async () => {
    const p = await profile(['a', '', null, ' b', 'c ', '', null, null]);
    expect(p).toMatchObject({ nullCount: 3, nullShare: 3 / 8, emptyCount: 2, untrimmedCount: 2, distinctCount: 4, distinctExact: true });
  });

  it('infers types for text columns from their values', async () => {
    expect((await profile(['1', '-20', '300', null, ''])).inferredType).toEqual({ kind: 'integer' });
    expect((await profile(['1', '99999999999'])).inferredType).toEqual({ kind: 'bigint' });
    expect((await profile(['1', '2.50', '-100.125'])).inferredType).toEqual({ kind: 'decimal', precision: 6, scale: 3 });
    expect((await profile(['Y', 'N', 'y'])).inferredType).toEqual({ kind: 'boolean' });
    // One repeated '1' (Sugar's admin user id) is no evidence of a boolean.
    expect((await profile(['1', '1', '1'])).inferredType).toEqual({ kind: 'integer' });
    const us = await profile(['12/31/2023', '1/2/2024', '07/04/1999']);
    expect([us.inferredType, us.inferredFormat, us.min, us.max]).toEqual([{ kind: 'date' }, 'MM/DD/YYYY', '1999-07-04', '2024-01-02']);
    const money = await profile(['$25,000.00', '$9.99', '1,000']);
    expect([money.inferredType?.kind, money.inferredFormat, money.min, money.max]).toEqual(['decimal', 'currency', '9.99', '25000']);
    expect((await profile(['2020-01-01 10:00:00', '2021-06-30T08:00'])).inferredType).toEqual({ kind: 'timestamp' });
  });

  it('keeps leading-zero codes and mixed values as text', async () => {
    expect((await profile(['00123', '04567'])).inferredType).toBeUndefined();
    expect((await profile(['1', 'two'])).inferredType).toBeUndefined();
  });

  it('orders min/max numerically when the inferred type is numeric', async () => {
    const p = await profile(['9', '10', '100']);
    expect([p.min, p.max]).toEqual(['9', '100']);
  });

  it('lists picklist values with counts, most frequent first', async () => {
    const p = await profile(['Open', 'Closed', 'Open', 'Open', 'Pending', null]);
    expect(p.topValues).toEqual([
      { value: 'Open', count: 3 },
      { value: 'Closed', count: 1 },
      { value: 'Pending', count: 1 },
    ]);
  });

  it('drops the value list above the picklist limit', async () => {
    const p = await profile(Array.from({ length: 200 }, (_, i) => `v${i % 60}`));
    expect(p.topValues).toBeUndefined();
    expect(p.distinctCount).toBe(60);
  });

  it('reports values that break a dominant pattern (invalid emails)', async () => {
    const values = [...Array.from({ length: 18 }, (_, i) => `user${i}@example.com`), 'john@', 'n/a'];
    const p = await profile(values);
    expect(p.patterns[0]).toEqual({ name: 'email', matches: 18, share: 0.9 });
    expect(p.nonConforming).toEqual({ pattern: 'email', count: 2, examples: ['john@', 'n/a'] });
  });

  it('names the type and format of a dominant type pattern, so suggest can parse the column and reject the rest', async () => {
    const values = [...Array.from({ length: 19 }, (_, i) => `03/${String(i + 1).padStart(2, '0')}/2021 14:05`), '13/45/2021 10:00'];
    const p = await profile(values);
    expect(p.inferredType).toBeUndefined();
    expect(p.nonConforming).toEqual({
      pattern: 'timestamp MM/DD/YYYY HH:MM:SS',
      type: { kind: 'timestamp', format: 'MM/DD/YYYY HH:MM:SS', share: 0.95 },
      count: 1,
      examples: ['13/45/2021 10:00'],
    });
  });

  it('counts e-mail addresses that repeat another one ignoring case (what a match on e-mail sees)', async () => {
    const p = await profile(['ana@example.org', 'ANA@Example.org', 'bo@example.org', 'bo@example.org', 'cy@example.org', null, 'n/a']);
    expect(p.duplicateValues).toBe(1);
    expect(p.emailDuplicates).toBe(2);
    expect((await profile(['a', 'b'])).emailDuplicates).toBeUndefined();
  });

  it('collects phone formats', async () => {
    const p = await profile(['(555) 123-4567', '(555) 765-4321', '555.123.4567', '+1 555 123 4567']);
    expect(p.phoneFormats).toEqual([
      { value: '(999) 999-9999', count: 2 },
      { value: '+9 999 999 9999', count: 1 },
      { value: '999.999.9999', count: 1 },
    ]);
  });

  it('flags candidate keys and counts duplicates', async () => {
    const unique = await profile(['a', 'b', 'c']);
    expect([unique.candidateKey, unique.duplicateValues, unique.duplicatesExact]).toEqual([true, 0, true]);
    const dup = await profile(['a', 'b', 'a', 'a']);
    expect([dup.candidateKey, dup.duplicateValues]).toEqual([false, 2]);
    const withNull = await profile(['a', null]);
    expect(withNull.candidateKey).toBe(false);
  });

  it('profiles typed columns with their canonical order and text form', async () => {
    const p = await profile([10n, 9n, 2n ** 62n, null], { kind: 'bigint' });
    expect([p.min, p.max, p.maxLength, p.patterns]).toEqual(['9', String(2n ** 62n), undefined, []]);
    const d = await profile(['10.5', '9.25'], { kind: 'decimal', precision: 10, scale: 2 });
    expect([d.min, d.max]).toEqual(['9.25', '10.5']);
    const b = await profile([new Uint8Array([1, 2]), new Uint8Array([1, 2])], { kind: 'binary' });
    expect([b.distinctCount, b.duplicateValues]).toEqual([1, 1]);
  });

  it('counts length in code points', async () => {
    expect((await profile(['😀😀', 'abc'])).maxLength).toBe(3);
    expect((await profile(['😀😀😀'])).maxLength).toBe(3);
  });
});
