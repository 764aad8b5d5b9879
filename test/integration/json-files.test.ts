import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { Value } from '../../src/core/types.js';
import { column, table } from '../helpers/schema-builders.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crmbridge-json-it-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(connector: Connector, table: string, options: Parameters<Connector['read']>[1] = {}): Promise<ReadBatch[]> {
  const batches: ReadBatch[] = [];
  for await (const batch of connector.read(table, options)) batches.push(batch);
  return batches;
}

/** Rows as objects by column name, across batches whose column lists may grow. */
function objects(batches: readonly ReadBatch[]): Record<string, Value>[] {
  return batches.flatMap((b) => b.rows.map((r) => Object.fromEntries(b.columns.map((c, i) => [c, r[i]]))));
}

const RECORDS = [
  '{"id": 1, "name": "Acme", "big": 9007199254740993, "amount": 1234567890123456789012345678.1234567890, "tags": [], "meta": {}}',
  '{"id": 2, "name": null, "big": -5, "amount": 0.5, "tags": ["a", "b"], "meta": {"x": [1, {"y": null}]}, "late": true}',
];

describe('json files', () => {
  it('reads NDJSON and array files as JSON gives them, without losing digits or [] vs {}', async () => {
    const folder = join(dir, 'inputs');
    await mkdir(folder);
    await writeFile(join(folder, 'lines.ndjson'), `\uFEFF${RECORDS.join('\n')}\n\n`);
    await writeFile(join(folder, 'array.json'), `[\n  ${RECORDS.join(',\n  ')}\n]`);
    await writeFile(join(folder, 'disguised.json'), RECORDS.join('\r\n'));
    await writeFile(join(folder, 'lines.ndjson.crmbridge-schema.json.bak'), 'ignored: not a data file');
    const connector = await openConnector(folder, { format: 'json' });
    const schema = await connector.introspect();
    expect(schema.tables.map((t) => t.name)).toEqual(['array', 'disguised', 'lines']);
    const lines = schema.tables[2];
    expect(lines.columns.map((c) => [c.name, c.type.kind, c.nullable])).toEqual([
      ['id', 'bigint', false],
      ['name', 'text', true],
      ['big', 'bigint', false],
      ['amount', 'decimal', false],
      ['tags', 'json', false],
      ['meta', 'json', false],
      ['late', 'boolean', true],
    ]);
    const expected = [
      {
        id: 1,
        name: 'Acme',
        big: 9007199254740993n,
        amount: '1234567890123456789012345678.1234567890',
        tags: '[]',
        meta: '{}',
        late: null,
      },
      { id: 2, name: null, big: -5, amount: 0.5, tags: '["a","b"]', meta: '{"x":[1,{"y":null}]}', late: true },
    ];
    for (const table of ['lines', 'array', 'disguised']) {
      const batches = await readAll(connector, table);
      expect(objects(batches), table).toEqual(expected);
    }
    expect((await readAll(connector, 'lines')).flatMap((b) => b.lines)).toEqual([1, 2]);
    expect(await connector.count('array')).toBe(2);
  });

  it('decodes canonical types on request, from strings and from number digits', async () => {
    const file = join(dir, 'typed.ndjson');
    await writeFile(file, `${RECORDS.join('\n')}\n{"id": 3, "big": "12", "amount": 1.5e3, "tags": "not an array"}\n`);
    const connector = await openConnector(file);
    const batches = await readAll(connector, 'typed', {
      types: {
        id: { kind: 'bigint' },
        big: { kind: 'bigint' },
        amount: { kind: 'decimal' },
        tags: { kind: 'multiselect' },
        meta: { kind: 'json' },
      },
    });
    const rows = objects(batches);
    expect(rows.map((r) => [r.id, r.big, r.amount, r.tags, r.meta])).toEqual([
      [1n, 9007199254740993n, '1234567890123456789012345678.1234567890', [], '{}'],
      [2n, -5n, '0.5', ['a', 'b'], '{"x":[1,{"y":null}]}'],
    ]);
    const rejects = batches.flatMap((b) => b.rejects ?? []);
    expect(rejects).toEqual([
      expect.objectContaining({ code: 'CRM_R4003', line: 3, column: 'tags', raw: expect.stringContaining('not an array') }),
    ]);
    // Without the bad field the exponent number is a plain decimal.
    const fixed = await readAll(connector, 'typed', {
      columns: ['id', 'amount'],
      types: { id: { kind: 'bigint' }, amount: { kind: 'decimal' } },
    });
    expect(objects(fixed).map((r) => r.amount)).toEqual(['1234567890123456789012345678.1234567890', '0.5', '1500']);
  });

  it('rejects a malformed NDJSON line with its line number and loads the others', async () => {
    const file = join(dir, 'broken.ndjson');
    await writeFile(file, ['{"id": 1}', '{"id": 2,, "oops"}', '[1, 2]', '{"id": 4}'].join('\n'));
    const connector = await openConnector(file);
    const batches = await readAll(connector, 'broken');
    expect(objects(batches)).toEqual([{ id: 1 }, { id: 4 }]);
    expect(batches.flatMap((b) => b.lines)).toEqual([1, 4]);
    const rejects = batches.flatMap((b) => b.rejects ?? []);
    expect(rejects.map((r) => [r.code, r.line, r.raw])).toEqual([
      ['CRM_R4004', 2, '{"id": 2,, "oops"}'],
      ['CRM_R4004', 3, '[1, 2]'],
    ]);
    expect(rejects[0].file).toBe(file);
    expect(await connector.count('broken')).toBe(2);
  });

  it('stops a broken array with a clear error after the records before the break', async () => {
    const file = join(dir, 'broken-array.json');
    await writeFile(file, '[{"id": 1}, 7, {"id": 2}, {"id": 3,, }, {"id": 4}]');
    const connector = await openConnector(file);
    const batches: ReadBatch[] = [];
    const read = async () => {
      for await (const batch of connector.read('broken-array')) batches.push(batch);
    };
    await expect(read()).rejects.toMatchObject({ code: 'CRM_R4004', location: { file } });
    expect(objects(batches)).toEqual([{ id: 1 }, { id: 2 }]);
    const rejects = batches.flatMap((b) => b.rejects ?? []);
    expect(rejects.map((r) => [r.code, r.raw])).toEqual([
      ['CRM_R4004', '7'],
      ['CRM_R4004', ''],
    ]);
  });

  it('writes canonical values that read back exactly, keeps array files valid after every batch, and refuses keyed operations', async () => {
    const folder = join(dir, 'out');
    await mkdir(folder);
    const deals = table('deals', [
      column('id', { kind: 'bigint' }, false),
      column('payload', { kind: 'json' }),
      column('blob', { kind: 'binary' }),
      column('tags', { kind: 'multiselect' }),
    ]);
    const connector = await openConnector(folder, { format: 'json', extension: 'json' });
    const writer = await connector.writer();
    await writer.createTables([deals]);
    const columns = deals.columns.map((c) => c.name);
    const file = join(folder, 'deals.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual([]);
    await writer.write(
      'deals',
      { columns, rows: [[9223372036854775807n, '[]', new Uint8Array([0, 255]), ['x,y', 'z']]] },
      { mode: 'insert' },
    );
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(1);
    await writer.write(
      'deals',
      {
        columns,
        rows: [
          [2n, '{\n  "pretty": {},\n  "n": 12345678901234567890\n}', null, []],
          [3n, null, new Uint8Array(), null],
        ],
      },
      { mode: 'insert' },
    );
    const text = await readFile(file, 'utf8');
    expect(JSON.parse(text)).toHaveLength(3);
    expect(text).toContain('"9223372036854775807"');
    await expect(writer.write('deals', { columns, rows: [[4n, '{oops', null, null]] }, { mode: 'insert' })).rejects.toMatchObject({
      code: 'CRM_R4003',
    });
    await expect(writer.write('deals', { columns, rows: [[1n, null, null, null]] }, { mode: 'upsert', key: ['id'] })).rejects.toMatchObject(
      {
        code: 'CRM_N2006',
      },
    );
    await expect(writer.deleteByKeys('deals', ['id'], [[1n]])).rejects.toMatchObject({ code: 'CRM_N2006' });
    await writer.close();

    // A second writer appends to the existing array.
    const again = await connector.writer();
    await again.write('deals', { columns: ['id'], rows: [[5n]] }, { mode: 'insert' });
    await again.close();

    const rows = objects(await readAll(connector, 'deals'));
    expect(rows).toEqual([
      { id: 9223372036854775807n, payload: '[]', blob: new Uint8Array([0, 255]), tags: ['x,y', 'z'] },
      { id: 2n, payload: '{"pretty":{},"n":12345678901234567890}', blob: null, tags: [] },
      { id: 3n, payload: null, blob: new Uint8Array(), tags: null },
      { id: 5n, payload: null, blob: null, tags: null },
    ]);
    expect((await connector.introspect()).tables[0].columns.map((c) => c.type.kind)).toEqual(['bigint', 'json', 'binary', 'multiselect']);
    const byKey = await connector.readByKeys('deals', ['id'], [[2n], [5n], [6n]], ['id', 'tags']);
    expect(byKey).toEqual({
      columns: ['id', 'tags'],
      rows: [
        [2n, []],
        [5n, null],
      ],
    });
  });

  it('appends to an NDJSON file that lacks its last newline, and reports missing files and tables', async () => {
    const file = join(dir, 'append.ndjson');
    await writeFile(file, '{"id": 1}');
    const connector = await openConnector(file);
    const writer = await connector.writer();
    await writer.write('append', { columns: ['id', 'note'], rows: [[2, 'new key']] }, { mode: 'insert' });
    await writer.close();
    expect(objects(await readAll(connector, 'append'))).toEqual([
      { id: 1, note: null },
      { id: 2, note: 'new key' },
    ]);
    await expect(readAll(connector, 'other')).rejects.toMatchObject({ code: 'CRM_S3001' });
    await expect(connector.count('append', { where: 'id = 1' })).rejects.toMatchObject({ code: 'CRM_N2006' });
    const missing = await openConnector(join(dir, 'missing.ndjson'));
    await expect(missing.introspect()).rejects.toMatchObject({ code: 'CRM_C1004' });
  });

  it('streams a 100k-record array in bounded batches, honouring skip', async () => {
    const file = join(dir, 'big.json');
    const total = 100_000;
    const out = createWriteStream(file);
    out.write('[');
    for (let i = 0; i < total; i++) {
      const record = `${i ? ',' : ''}\n{"id":${i + 1},"name":"Contact ${i}","amount":"${i}.25","active":${i % 2 === 0},"tags":["t${i % 7}"]}`;
      if (!out.write(record)) await once(out, 'drain');
    }
    out.end(']');
    await once(out, 'finish');
    const connector = await openConnector(file);
    let count = 0;
    let batches = 0;
    let last: Value[] | undefined;
    const started = performance.now();
    for await (const batch of connector.read('big', { batchSize: 5000, types: { id: { kind: 'bigint' }, amount: { kind: 'decimal' } } })) {
      expect(batch.rows.length).toBeLessThanOrEqual(5000);
      count += batch.rows.length;
      batches++;
      last = batch.rows[batch.rows.length - 1];
    }
    console.info(`json array read: ${total} records in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    expect(count).toBe(total);
    expect(batches).toBe(total / 5000);
    expect(last).toEqual([BigInt(total), `Contact ${total - 1}`, `${total - 1}.25`, (total - 1) % 2 === 0, `["t${(total - 1) % 7}"]`]);
    const skipped = objects(await readAll(connector, 'big', { skip: total - 2 }));
    expect(skipped.map((r) => r.id)).toEqual([total - 1, total]);
  });
});
