import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIDECAR_SUFFIX } from '../../src/connectors/shared/sidecar-schema.js';
import type { TableSchema, Value } from '../../src/core/types.js';
import { openCsv, readAll, tempFolder, writeFixture } from '../fixtures/csv/csv-test-helpers.js';
import { column, table, textColumn } from '../helpers/schema-builders.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempFolder('csv-writer'));
});
afterAll(() => cleanup());

/** A table of text columns; `key` is its primary key (none unless given). */
function textTable(name: string, columns: readonly string[], key: readonly string[] = []): TableSchema {
  return table(
    name,
    columns.map((c) => textColumn(c)),
    { primaryKey: key },
  );
}

describe('CSV writer', () => {
  it('writes NULL as an unquoted empty field, "" quoted, null markers and line breaks quoted', async () => {
    const conn = await openCsv(dir, { nullMarkers: ['NULL'] });
    const writer = await conn.writer();
    const people = table('people', [column('id', { kind: 'bigint' }, false), textColumn('a'), textColumn('b')], { primaryKey: [] });
    await writer.createTables([people]);
    const rows: Value[][] = [
      [1n, null, ''],
      [2n, 'x\ry', 'NULL'],
      [3n, 'a,b', 'say "hi"'],
    ];
    expect(await writer.write('people', { columns: ['id', 'a', 'b'], rows }, { mode: 'insert' })).toBe(3);
    await writer.close();
    const file = join(dir, 'people.csv');
    expect(await readFile(file, 'utf8')).toBe('id,a,b\n1,,""\n2,"x\ry","NULL"\n3,"a,b","say ""hi"""\n');
    const sidecar = JSON.parse(await readFile(`${file}${SIDECAR_SUFFIX}`, 'utf8')) as TableSchema;
    expect(sidecar.columns[0].type.kind).toBe('bigint');
    const got = await readAll(conn, 'people');
    expect(got.rows).toEqual([
      [1n, null, ''],
      [2n, 'x\ry', 'NULL'],
      [3n, 'a,b', 'say "hi"'],
    ]);
    expect((await conn.introspect({ tables: ['people'] })).tables[0].columns[0].type.kind).toBe('bigint');
  });

  it('appends in file column order, fills absent columns with NULL, and adds a missing final line break', async () => {
    await writeFixture(dir, 'handmade.csv', 'id,name,city\n1,Ana,Oslo');
    const conn = await openCsv(dir);
    const writer = await conn.writer();
    await writer.write('handmade', { columns: ['city', 'id'], rows: [['Rome', 2n]] }, { mode: 'insert' });
    await writer.write('handmade', { columns: ['id', 'name'], rows: [[3n, new Uint8Array([1, 255])]] }, { mode: 'insert' });
    expect(await readFile(join(dir, 'handmade.csv'), 'utf8')).toBe('id,name,city\n1,Ana,Oslo\n2,,Rome\n3,01ff,\n');
  });

  it('refuses what a CSV file cannot do', async () => {
    const conn = await openCsv(dir);
    const writer = await conn.writer();
    await writer.createTables([textTable('limits', ['id', 'v'])]);
    const batch = { columns: ['id', 'v'], rows: [['1', 'x']] };
    await expect(writer.write('limits', batch, { mode: 'upsert', key: ['id'] })).rejects.toMatchObject({ code: 'CRM_N2006' });
    await expect(writer.deleteByKeys('limits', ['id'], [['1']])).rejects.toMatchObject({ code: 'CRM_N2006' });
    await expect(writer.write('limits', { columns: ['nope'], rows: [['1']] }, { mode: 'insert' })).rejects.toMatchObject({
      code: 'CRM_S3002',
    });
    await expect(writer.write('absent', batch, { mode: 'insert' })).rejects.toMatchObject({ code: 'CRM_S3001' });
    await expect(writer.write('limits', { columns: ['v'], rows: [['a\u0000b']] }, { mode: 'insert' })).rejects.toMatchObject({
      code: 'CRM_R4013',
      location: { column: 'v' },
    });
    await expect(writer.createTables([textTable('../escape', ['id'])])).rejects.toMatchObject({ code: 'CRM_C1003' });
    await expect(writer.createTables([textTable('limits', ['id'])], { ifNotExists: false })).rejects.toMatchObject({ code: 'CRM_C1003' });
    await writeFixture(dir, 'legacy.csv', iconv.encode('id;name\n1;Müller\n', 'windows-1252'));
    await expect(writer.write('legacy', { columns: ['id'], rows: [['2']] }, { mode: 'insert' })).rejects.toMatchObject({
      code: 'CRM_N2006',
    });
    await expect((await openCsv(dir, { header: false })).writer()).rejects.toMatchObject({ code: 'CRM_C1003' });
  });

  it('keeps an existing file unless asked to drop it, and describes the header it would write', async () => {
    const conn = await openCsv(dir);
    const writer = await conn.writer();
    const kept = textTable('kept', ['id', 'first name']);
    expect(writer.ddl([kept])).toEqual(['kept.csv: id,first name']);
    await writer.createTables([kept]);
    await writer.write('kept', { columns: ['id'], rows: [['1']] }, { mode: 'insert' });
    await writer.createTables([kept]);
    expect(await conn.count('kept')).toBe(1);
    await writer.createTables([kept], { dropExisting: true });
    expect(await conn.count('kept')).toBe(0);
  });

  it('maps a single-file connection to its one table', async () => {
    const file = join(dir, 'single.csv');
    const conn = await openCsv(file);
    const writer = await conn.writer();
    await expect(writer.createTables([textTable('other', ['id'])])).rejects.toMatchObject({ code: 'CRM_C1003' });
    await writer.createTables([textTable('single', ['id', 'v'], ['id'])]);
    await writer.write(
      'single',
      {
        columns: ['id', 'v'],
        rows: [
          ['1', 'one'],
          ['2', null],
        ],
      },
      { mode: 'insert' },
    );
    const schema = await conn.introspect();
    expect(schema.tables.map((t) => [t.name, t.primaryKey])).toEqual([['single', ['id']]]);
    const byKey = await conn.readByKeys('single', ['id'], [['2'], ['9']]);
    expect(byKey).toEqual({ columns: ['id', 'v'], rows: [['2', null]] });
  });
});

describe('round trip through writer and reader', () => {
  // Characters that stress quoting, escaping, trimming, markers and encodings.
  const piece = fc.constantFrom('a', 'Z', ' ', '"', "'", '\\', ',', ';', '|', '\t', '\r', '\n', '\r\n', 'é', '€', '😀', '\uFFFD', 'NULL');
  const cell = fc.oneof(
    fc.constant(null),
    fc.constant(''),
    fc.array(piece, { maxLength: 6 }).map((p) => p.join('')),
  );
  const dialect = fc.record({
    delimiter: fc.constantFrom(',', ';', '|', '\t', undefined),
    quote: fc.constantFrom('"', "'"),
    backslash: fc.boolean(),
    trim: fc.boolean(),
    markers: fc.boolean(),
  });
  let run = 0;

  it('gives back every value exactly (NULL, "", quotes, delimiters, line breaks) in any dialect', async () => {
    await fc.assert(
      fc.asyncProperty(
        dialect,
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) => fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 12 })),
        async (d, rows) => {
          const width = rows[0]?.length ?? 2;
          const folder = join(dir, `rt${run++}`);
          await mkdir(folder);
          const options = {
            ...(d.delimiter === undefined ? {} : { delimiter: d.delimiter }),
            quote: d.quote,
            escape: d.backslash ? '\\' : d.quote,
            trim: d.trim,
            nullMarkers: d.markers ? ['NULL'] : [],
          };
          const conn = await openCsv(folder, options);
          const columns = Array.from({ length: width }, (_, i) => `col ${i}`);
          const writer = await conn.writer();
          await writer.createTables([textTable('t', columns)]);
          await writer.write('t', { columns, rows }, { mode: 'insert' });
          const got = await readAll(conn, 't');
          expect(got.rejects).toEqual([]);
          expect(got.rows).toEqual(rows);
          expect(await conn.count('t')).toBe(rows.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
