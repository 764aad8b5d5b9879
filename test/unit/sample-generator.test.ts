import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCanonicalText, toCanonicalText } from '../../src/core/canonical.js';
import type { RowBatch, Value } from '../../src/core/types.js';
import { generateLegacyCrm, LEGACY_TABLE_NAMES, type LegacyCrmSample, legacyCrmSchema } from '../../src/sample/index.js';

/** A digest of every batch of every table, through the canonical text form (exact for every type). */
async function digest(sample: LegacyCrmSample): Promise<string> {
  const hash = createHash('sha256');
  const types = new Map(sample.schema.map((t) => [t.name, t.columns.map((c) => c.type)]));
  let current = '';
  for await (const { table, batch } of sample.tables()) {
    const columnTypes = types.get(table)!;
    // Batch boundaries are not data: only a change of table is hashed.
    if (table !== current) hash.update(`${table}|${batch.columns.join(',')}\n`);
    current = table;
    for (const row of batch.rows)
      hash.update(`${row.map((v, i) => (v === null ? '\u0000' : toCanonicalText(v, columnTypes[i]))).join('\u0001')}\n`);
  }
  return hash.digest('hex');
}

function allRows(batches: Iterable<RowBatch>): Value[][] {
  return [...batches].flatMap((b) => b.rows);
}

describe('sample legacy CRM: determinism', () => {
  it('gives identical data for the same seed and size, whatever the batch size', async () => {
    const a = await digest(generateLegacyCrm({ contacts: 1000, seed: 7 }));
    const b = await digest(generateLegacyCrm({ contacts: 1000, seed: 7, batchSize: 333 }));
    expect(b).toBe(a);
  });

  it('gives different data for a different seed, and the same shape', async () => {
    const a = generateLegacyCrm({ contacts: 1000, seed: 7 });
    const b = generateLegacyCrm({ contacts: 1000, seed: 8 });
    expect(await digest(b)).not.toBe(await digest(a));
    const contactsA = allRows(a.batches('contacts'));
    const contactsB = allRows(b.batches('contacts'));
    expect(contactsB.length).toBe(contactsA.length);
    const ids = new Set(contactsA.map((r) => r[0]));
    expect(contactsB.filter((r) => ids.has(r[0]))).toHaveLength(0);
  });

  it('gives identical manifests for the same seed', () => {
    expect(generateLegacyCrm({ contacts: 500, seed: 3 }).manifest()).toEqual(generateLegacyCrm({ contacts: 500, seed: 3 }).manifest());
  });
});

describe('sample legacy CRM: sizes', () => {
  it.each([1000, 12_345])('derives table sizes from %i contacts and yields exactly the announced counts', (n) => {
    const sample = generateLegacyCrm({ contacts: n, seed: 11 });
    const { counts } = sample;
    expect(counts.contacts).toBe(n);
    expect(counts.users).toBe(Math.max(10, Math.floor(n / 1000)));
    expect(counts.accounts).toBe(Math.floor(n / 10));
    expect(counts.opportunities).toBe(Math.floor(n * 0.3));
    expect(counts.accounts_opportunities).toBe(counts.opportunities);
    expect(counts.leads).toBe(Math.floor(n / 5));
    expect(counts.notes + counts.calls + counts.tasks).toBe(n);
    // Link and custom tables: roughly one link per contact, most beans with custom rows and an email.
    expect(counts.accounts_contacts).toBeGreaterThan(n * 0.95);
    expect(counts.contacts_cstm).toBeLessThan(n);
    expect(counts.email_addr_bean_rel).toBeGreaterThan(counts.email_addresses);
    for (const table of LEGACY_TABLE_NAMES) {
      expect(allRows(sample.batches(table)).length, table).toBe(counts[table]);
    }
  });
});

describe('sample legacy CRM: schema and values', () => {
  it("declares Sugar's tables with canonical types and no foreign keys", () => {
    const schema = legacyCrmSchema();
    expect(schema.map((t) => t.name)).toEqual(LEGACY_TABLE_NAMES);
    for (const table of schema) expect(table.foreignKeys, table.name).toEqual([]);
    const column = (table: string, name: string) => schema.find((t) => t.name === table)?.columns.find((c) => c.name === name);
    expect(column('contacts', 'id')).toMatchObject({ type: { kind: 'text', length: 36 }, nativeType: 'char(36)', nullable: false });
    expect(column('contacts', 'deleted')?.type).toEqual({ kind: 'boolean' });
    expect(column('opportunities', 'amount')?.type).toEqual({ kind: 'decimal', precision: 26, scale: 6 });
    expect(column('opportunities', 'date_closed')?.type).toEqual({ kind: 'date' });
    expect(column('calls', 'date_start')?.type).toEqual({ kind: 'timestamp' });
    expect(column('accounts', 'annual_revenue')?.type).toEqual({ kind: 'text', length: 100 });
    expect(column('accounts_cstm', 'customer_since_c')?.type).toEqual({ kind: 'date' });
  });

  it('gives every value the JS form of its canonical type, parseable, and within its declared length', () => {
    const sample = generateLegacyCrm({ contacts: 2000, seed: 5 });
    for (const table of sample.schema) {
      for (const batch of sample.batches(table.name as (typeof LEGACY_TABLE_NAMES)[number])) {
        expect(batch.columns).toEqual(table.columns.map((c) => c.name));
        for (const row of batch.rows) {
          expect(row).toHaveLength(table.columns.length);
          table.columns.forEach((column, i) => {
            const value = row[i];
            if (value === null) {
              expect(column.nullable, `${table.name}.${column.name}`).toBe(true);
              return;
            }
            const where = `${table.name}.${column.name} = ${String(value)}`;
            const { type } = column;
            if (type.kind === 'boolean') expect(typeof value, where).toBe('boolean');
            else if (type.kind === 'integer' || type.kind === 'float') expect(typeof value, where).toBe('number');
            else expect(typeof value, where).toBe('string');
            // Text never exceeds its column (counted in characters, as MySQL and PostgreSQL do).
            if (type.kind === 'text' && type.length !== undefined)
              expect([...String(value)].length, where).toBeLessThanOrEqual(type.length);
            if (type.kind !== 'text')
              expect(toCanonicalText(parseCanonicalText(toCanonicalText(value, type)!, type), type), where).toBe(
                toCanonicalText(value, type),
              );
            if (type.kind === 'decimal') expect(String(value), where).toMatch(/^-?\d{1,20}(\.\d{1,6})?$/);
          });
        }
      }
    }
  });
});

describe('sample legacy CRM: streaming', () => {
  it('hands out a 200k-contact sample one bounded batch at a time, with fresh arrays', async () => {
    const batchSize = 1000;
    const sample = generateLegacyCrm({ contacts: 200_000, seed: 2, batchSize });
    expect(sample.counts.contacts).toBe(200_000);

    // tables() is a lazy async iterable: the first batch arrives alone and the rest is never made.
    const iterator = sample.tables()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(first.value?.table).toBe('users');
    expect(first.value?.batch.rows.length).toBeLessThanOrEqual(batchSize);
    await iterator.return?.();

    // The largest table streams in batches no bigger than batchSize; no batch array is reused.
    let rows = 0;
    let batches = 0;
    let previous: Value[][] | undefined;
    const started = performance.now();
    for (const batch of sample.batches('contacts')) {
      expect(batch.rows.length).toBeLessThanOrEqual(batchSize);
      expect(batch.rows).not.toBe(previous);
      previous = batch.rows;
      rows += batch.rows.length;
      batches++;
    }
    const seconds = (performance.now() - started) / 1000;
    expect(rows).toBe(200_000);
    expect(batches).toBe(200);
    // Measured, not asserted (the machine may be busy).
    console.log(`sample: 200k contacts generated in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s)`);
  });
});
