import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { toCanonicalText } from '../../src/core/canonical.js';
import type { Value } from '../../src/core/types.js';
import { generateLegacyCrm, LEGACY_TABLE_NAMES, writeLegacyCrm } from '../../src/sample/index.js';
import { freshMysql, freshPostgres } from '../helpers/databases.js';

const OPTIONS = { contacts: 1000, seed: 13 };

interface Target {
  readonly url: string;
  /** The dialect's spelling of "soft-deleted". */
  readonly deletedWhere: string;
  cleanup(): Promise<void>;
}

const TARGETS: Record<string, () => Promise<Target | undefined>> = {
  sqlite: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crmbridge-sample-'));
    return {
      url: `sqlite:${join(dir, 'legacy.db')}`,
      deletedWhere: 'deleted = 1',
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
  postgres: async () => {
    const db = await freshPostgres();
    return db && { url: db.url, deletedWhere: 'deleted', cleanup: () => db.drop() };
  },
  mariadb: async () => {
    const db = await freshMysql();
    return db && { url: db.url, deletedWhere: 'deleted = 1', cleanup: () => db.drop() };
  },
};

/** Rows of a table keyed by primary key, each value in canonical text (exact for every type). */
function canonicalRows(
  columns: readonly string[],
  rows: Iterable<Value[]>,
  types: Map<string, Parameters<typeof toCanonicalText>[1]>,
  key: string,
): Map<string, string[]> {
  const keyAt = columns.indexOf(key);
  const out = new Map<string, string[]>();
  for (const row of rows)
    out.set(
      String(row[keyAt]),
      row.map((v, i) => (v === null ? '\u0000NULL' : (toCanonicalText(v, types.get(columns[i])!) ?? ''))),
    );
  return out;
}

describe.each(Object.keys(TARGETS))('sample legacy CRM written through the %s connector', (name) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('creates the tables, inserts every row, and reads back exactly what was generated', async (ctx) => {
    const target = await TARGETS[name]();
    if (!target) return ctx.skip();
    cleanups.push(target.cleanup);
    const connector: Connector = await openConnector(target.url);
    cleanups.push(() => connector.close());

    const writer = await connector.writer();
    const { sample, written } = await writeLegacyCrm(writer, OPTIONS);
    await writer.close();

    expect(written).toEqual(sample.counts);
    for (const table of LEGACY_TABLE_NAMES) expect(await connector.count(table), table).toBe(sample.counts[table]);
    const manifest = sample.manifest();
    expect(await connector.count('contacts', { where: target.deletedWhere })).toBe(manifest.softDeleted.contacts);

    // Exactness: every value of every table, through the canonical form (decimals beyond 2^53,
    // pre-1970 dates, NULL vs '', non-ASCII and multi-line text).
    const fresh = generateLegacyCrm(OPTIONS);
    for (const table of fresh.schema) {
      const types = new Map(table.columns.map((c) => [c.name, c.type]));
      const columns = table.columns.map((c) => c.name);
      const key = table.primaryKey[0];
      const expected = canonicalRows(
        columns,
        [...fresh.batches(table.name as (typeof LEGACY_TABLE_NAMES)[number])].flatMap((b) => b.rows),
        types,
        key,
      );
      const actualRows: Value[][] = [];
      for await (const batch of connector.read(table.name, { columns })) actualRows.push(...batch.rows);
      const actual = canonicalRows(columns, actualRows, types, key);
      expect(actual.size, table.name).toBe(expected.size);
      for (const [id, row] of expected) expect(actual.get(id), `${table.name} ${id}`).toEqual(row);
    }
  });
});
