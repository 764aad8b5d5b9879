import { Command } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiff } from '../../src/cli/commands/diff-command.js';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { deterministicUuid } from '../../src/engine/deterministic-uuid.js';
import { openSide } from '../../src/engine/verify/open-side.js';
import { diffTables } from '../../src/engine/verify/table-diff.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { column, table } from '../helpers/schema-builders.js';

const DEALS = table('deals', [
  column('id', { kind: 'bigint' }, false),
  column('ref', { kind: 'uuid' }),
  column('name', { kind: 'text' }),
  column('amount', { kind: 'decimal', precision: 14, scale: 2 }),
  column('closed_at', { kind: 'timestamp' }),
  column('won', { kind: 'boolean' }),
]);
const COLUMNS = DEALS.columns.map((c) => c.name);
const ROWS = 100_000;

function deal(i: number): Value[] {
  const cents = String((i * 7919) % 10_000_000).padStart(3, '0');
  return [
    BigInt(i),
    deterministicUuid('deal', String(i)),
    i % 97 === 0 ? null : `Deal ${i} – ${i % 3 === 0 ? 'Ünïcode' : 'plain'}`,
    `${cents.slice(0, -2)}.${cents.slice(-2)}`,
    `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00.${String(i % 1_000_000).padStart(6, '0')}`,
    i % 2 === 0,
  ];
}

// Legacy-style people in MariaDB: CHAR(36) text keys and other column names than in PostgreSQL.
const PEOPLE_PG = table('people', [
  column('id', { kind: 'uuid' }, false),
  column('full_name', { kind: 'text' }),
  column('email', { kind: 'text' }),
]);
const PEOPLE_MY = table(
  'persons',
  [column('person_id', { kind: 'text', length: 36 }, false), column('name', { kind: 'text' }), column('email1', { kind: 'text' })],
  { primaryKey: ['person_id'] },
);

describe('crmbridge diff: PostgreSQL vs MariaDB with checksums in both databases', () => {
  let pg: FreshDatabase | undefined;
  let my: FreshDatabase | undefined;
  let a: Connector;
  let b: Connector;

  beforeAll(async () => {
    [pg, my] = await Promise.all([freshPostgres(), freshMysql()]);
    if (!pg || !my) return;
    a = await openConnector(pg.url);
    b = await openConnector(my.url);
    const rows = Array.from({ length: ROWS }, (_, i) => deal(i + 1));
    // b: 3 rows missing, 2 extra, 4 fields changed (one to NULL, one from NULL to '').
    const missing = new Set([1, 50_000, 100_000]);
    const changed = new Map<number, [number, Value]>([
      [2, [3, '1.01']],
      [33_333, [2, 'Renamed']],
      [66_667, [5, true]],
      [97 * 500, [2, '']],
    ]);
    const rowsB = rows
      .filter((r) => !missing.has(Number(r[0])))
      .map((r) => {
        const change = changed.get(Number(r[0]));
        if (!change) return r;
        const copy = [...r];
        copy[change[0]] = change[1];
        return copy;
      });
    rowsB.push(deal(100_001), deal(100_002));
    const people = Array.from({ length: 3000 }, (_, i) => [deterministicUuid('person', String(i)), `Person ${i}`, `p${i}@example.com`]);
    const peopleB = people.map((p, i) => (i === 1234 ? [p[0], 'Someone Else', p[2]] : p));
    for (const [connector, dealRows, peopleTable, peopleRows] of [
      [a, rows, PEOPLE_PG, people],
      [b, rowsB, PEOPLE_MY, peopleB],
    ] as const) {
      const w = await connector.writer();
      await w.createTables([DEALS, peopleTable]);
      for (let i = 0; i < dealRows.length; i += 20_000) {
        await w.write('deals', { columns: COLUMNS, rows: dealRows.slice(i, i + 20_000) }, { mode: 'insert' });
      }
      await w.write(
        peopleTable.name,
        { columns: peopleTable.columns.map((c) => c.name), rows: peopleRows.map((r) => [...r]) },
        { mode: 'insert' },
      );
      await w.close();
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await Promise.all([pg?.drop(), my?.drop()]);
  });

  it('finds each planted difference exactly once in 100,000 rows, and nothing else', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const result = await diffTables({ a, b, table: { a: 'deals', b: 'deals' }, key: [{ a: 'id', b: 'id' }] });
    expect(result.pushdown).toEqual({ a: true, b: true });
    expect(result.onlyInA.map((r) => r.key[0])).toEqual(['1', '50000', '100000']);
    expect(result.onlyInB.map((r) => r.key[0])).toEqual(['100001', '100002']);
    const changes = result.changed.map((c) => ({ key: c.key[0], fields: c.fields.map((f) => [f.column.a, f.a, f.b]) }));
    expect(changes).toEqual([
      { key: '2', fields: [['amount', deal(2)[3], '1.01']] },
      { key: '33333', fields: [['name', 'Deal 33333 – Ünïcode', 'Renamed']] },
      { key: '48500', fields: [['name', null, '']] },
      { key: '66667', fields: [['won', 'false', 'true']] },
    ]);
    // Bisection downloads a few segments, not the table.
    expect(result.stats.rowsCompared).toBeLessThan(20_000);
  });

  it('reports nothing for identical tables, with one checksum per side', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const result = await diffTables({ a, b: a, table: { a: 'deals', b: 'deals' }, key: [{ a: 'id', b: 'id' }] });
    expect(result.equal).toBe(true);
    expect(result.stats).toEqual({ segments: 1, rowsCompared: 0 });
  });

  it('compares renamed columns with text (CHAR(36)) keys against uuid keys', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const result = await diffTables({
      a,
      b,
      table: { a: 'people', b: 'persons' },
      key: [{ a: 'id', b: 'person_id' }],
      columns: [
        { a: 'full_name', b: 'name' },
        { a: 'email', b: 'email1' },
      ],
      threshold: 50,
    });
    expect(result.pushdown).toEqual({ a: true, b: true });
    expect(result.onlyInA).toEqual([]);
    expect(result.onlyInB).toEqual([]);
    expect(result.changed).toEqual([
      {
        key: [deterministicUuid('person', '1234')],
        fields: [{ column: { a: 'full_name', b: 'name' }, a: 'Person 1234', b: 'Someone Else' }],
      },
    ]);
  });

  it('gives the same answer when every row is hashed in-process', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const options = { a, b, table: { a: 'deals', b: 'deals' }, key: [{ a: 'id', b: 'id' }] };
    const [pushed, local] = await Promise.all([diffTables(options), diffTables({ ...options, pushdown: false })]);
    expect(local.pushdown).toEqual({ a: false, b: false });
    expect(local.changed).toEqual(pushed.changed);
    expect(local.onlyInA).toEqual(pushed.onlyInA);
    expect(local.onlyInB).toEqual(pushed.onlyInB);
  });

  it('computes the checksums of all parts of a range in one grouped query, each equal to its own checksum', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const tables = [
      { connector: a, table: 'deals', key: 'id', kind: 'bigint' as const, cuts: ['17', '18', '5000', '99999'] },
      { connector: b, table: 'deals', key: 'id', kind: 'bigint' as const, cuts: ['17', '18', '5000', '99999'] },
      { connector: a, table: 'people', key: 'id', kind: 'uuid' as const, cuts: [] as string[] },
      { connector: b, table: 'persons', key: 'person_id', kind: 'uuid' as const, cuts: [] as string[] },
    ];
    const peopleCuts = Array.from({ length: 3000 }, (_, i) => deterministicUuid('person', String(i)))
      .sort()
      .filter((_, i) => i % 97 === 5);
    for (const t of tables) {
      const schema = (await t.connector.introspect({ tables: [t.table] })).tables[0];
      const request = {
        table: t.table,
        key: [{ name: t.key, type: { kind: t.kind } }],
        columns: schema.columns.filter((c) => c.name !== t.key).map((c) => ({ name: c.name, type: c.type })),
      };
      const cuts = (t.cuts.length > 0 ? t.cuts : peopleCuts).map((c) => [c]);
      // In the database, and in-process (the same rows read and hashed here).
      for (const pushdown of [true, false]) {
        const { session } = await openSide(t.connector, request, { pushdown });
        try {
          for (const range of [{}, { after: cuts[0], upTo: cuts[cuts.length - 1] }]) {
            const inside = cuts.slice(1, -1);
            const parts = Object.keys(range).length === 0 ? cuts : inside;
            const grouped = await session.checksums(range, parts);
            const bounds = [(range as { after?: string[] }).after, ...parts, (range as { upTo?: string[] }).upTo];
            const each = [];
            for (let i = 0; i + 1 < bounds.length; i++) {
              each.push(
                await session.checksum({ ...(bounds[i] ? { after: bounds[i] } : {}), ...(bounds[i + 1] ? { upTo: bounds[i + 1] } : {}) }),
              );
            }
            expect(grouped).toEqual(each);
            expect(grouped.reduce((n, c) => n + c.count, 0)).toBe((await session.checksum(range)).count);
          }
        } finally {
          await session.close();
        }
      }
    }
  });

  it('exits 0 when equal, 1 when different, 2 when it cannot run', async (ctx) => {
    if (!pg || !my) return ctx.skip();
    const run = async (...args: string[]) => {
      const program = new Command().exitOverride();
      registerDiff(program);
      const write = process.stdout.write;
      process.stdout.write = () => true;
      try {
        await program.parseAsync(['node', 'crmbridge', 'diff', ...args]);
      } finally {
        process.stdout.write = write;
      }
      const code = process.exitCode;
      process.exitCode = 0;
      return code;
    };
    expect(await run(pg.url, pg.url, '--table', 'deals', '--key', 'id')).toBe(0);
    expect(await run(pg.url, my.url, '--table', 'people:persons', '--key', 'id:person_id', '--columns', 'full_name:name', '--json')).toBe(
      1,
    );
    expect(await run(pg.url, my.url, '--table', 'no_such_table', '--key', 'id')).toBe(2);
  });
});
