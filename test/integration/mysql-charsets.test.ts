import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, ReadBatch } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { CrmError } from '../../src/core/errors/index.js';
import { diffTables } from '../../src/engine/verify/table-diff.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { postgresQuery } from '../helpers/postgres-rows.js';

/**
 * Legacy charsets: a MariaDB table whose columns hold bytes in latin1 (cp1252), gbk, cp1250,
 * hebrew and ascii, some of them bytes their charset has no character for. The server, asked
 * for UTF-8, turns those into `?` without a warning; crmbridge must reject them instead.
 */
const BYTES = [
  // id, latin1 (cp1252: € “ ”), gbk (你好), cp1250 (Š), hebrew (א), ascii
  "(1, X'80932094', X'C4E3BAC3', X'8A', X'E0', X'41')",
  // ascii holding UTF-8 bytes of é
  "(2, X'41', X'41', X'41', X'41', X'41C3A9')",
  // cp1250 0x81 and hebrew 0xFB have no character
  "(3, X'41', X'41', X'418142', X'41', X'41')",
  "(4, X'41', X'41', X'41', X'E0FB', X'41')",
  // latin1's undefined cp1252 bytes are kept as C1 controls by MySQL: exact, not rejected
  "(5, X'818D8F909D', X'41', X'41', X'41', X'41')",
  // UTF-8 bytes of é in the latin1 column (double encoding): Ã© as declared
  "(6, X'C3A9', X'41', X'41', X'41', X'41')",
];

async function drain(iterable: AsyncIterable<ReadBatch>): Promise<ReadBatch[]> {
  const batches: ReadBatch[] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

describe('MariaDB text in legacy charsets', () => {
  let my: FreshDatabase | undefined;
  let pgDb: FreshDatabase | undefined;
  let source: Connector;
  let target: Connector;

  beforeAll(async () => {
    [my, pgDb] = await Promise.all([freshMysql(), freshPostgres()]);
    if (!my || !pgDb) return;
    const admin = await mysql.createConnection({ uri: my.url, multipleStatements: true });
    // Bytes stored as given: a binary connection and no strict mode, as legacy imports did.
    await admin.query(`SET sql_mode = ''; SET NAMES binary;
      CREATE TABLE legacy (id int PRIMARY KEY, l1 varchar(20) CHARACTER SET latin1, g varchar(20) CHARACTER SET gbk,
        w varchar(20) CHARACTER SET cp1250, h varchar(20) CHARACTER SET hebrew, a varchar(20) CHARACTER SET ascii);
      INSERT INTO legacy VALUES ${BYTES.join(', ')}`);
    await admin.end();
    source = await openConnector(my.url);
    target = await openConnector(pgDb.url);
  });

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await Promise.all([my?.drop(), pgDb?.drop()]);
  });

  it('decodes each charset exactly and rejects bytes it has no character for (invalid_encoding, column, bytes, offset)', async (ctx) => {
    if (!my) return ctx.skip();
    const batches = await drain(source.read('legacy', { orderBy: ['id'] }));
    const rows = batches.flatMap((b) => b.rows);
    expect(rows).toEqual([
      [1, '€“ ”', '你好', 'Š', 'א', 'A'],
      [5, '\u0081\u008d\u008f\u0090\u009d', 'A', 'A', 'A', 'A'],
      [6, 'Ã©', 'A', 'A', 'A', 'A'],
    ]);
    const rejects = batches.flatMap((b) => b.rejects ?? []);
    expect(rejects.map((r) => [r.code, r.column])).toEqual([
      ['CRM_R4002', 'a'],
      ['CRM_R4002', 'w'],
      ['CRM_R4002', 'h'],
    ]);
    expect(rejects[0].message).toContain('0xC3A9 at offset 1');
    expect(rejects[0].message).toContain('ascii');
    expect(rejects[1].message).toContain('0x8142 at offset 1');
    expect(rejects[2].message).toContain('0xFB at offset 1');
    // A key lookup fails loudly rather than hand back a `?`.
    const err = await source.readByKeys('legacy', ['id'], [[2]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).code).toBe('CRM_R4002');
  });

  it('decodes a column in the encoding the source options declare for it (bytes not in its declared charset)', async (ctx) => {
    if (!my) return ctx.skip();
    const declared = await openConnector(my.url, { charsets: { 'legacy.l1': 'utf8', 'legacy.a': 'windows-1252' } });
    try {
      const batches = await drain(declared.read('legacy', { orderBy: ['id'], columns: ['id', 'l1', 'a'] }));
      expect(batches.flatMap((b) => b.rows)).toEqual([
        [2, 'A', 'AÃ©'],
        [3, 'A', 'A'],
        [4, 'A', 'A'],
        [6, 'é', 'A'],
      ]);
      // 0x80 0x93 … are Windows-1252, not UTF-8; nor is 0x81.
      expect(batches.flatMap((b) => b.rejects ?? []).map((r) => [r.code, r.column])).toEqual([
        ['CRM_R4002', 'l1'],
        ['CRM_R4002', 'l1'],
      ]);
    } finally {
      await declared.close();
    }
    const err = await openConnector(my.url, { charsets: { 'legacy.l1': 'klingon' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CRM_C1003' });
  });

  it('diff does not call a target holding `?` equal to the source bytes it replaced', async (ctx) => {
    if (!pgDb) return ctx.skip();
    // What the old reader migrated: the server's `?` for each undecodable byte.
    await postgresQuery(
      pgDb.url,
      `CREATE TABLE legacy (id integer PRIMARY KEY, l1 text, g text, w text, h text, a text);
      INSERT INTO legacy VALUES (1, '€“ ”', '你好', 'Š', 'א', 'A'), (2, 'A', 'A', 'A', 'A', 'A??'),
        (3, 'A', 'A', 'A?B', 'A', 'A'), (4, 'A', 'A', 'A', 'א?', 'A'), (5, E'\\u0081\\u008d\\u008f\\u0090\\u009d', 'A', 'A', 'A', 'A'),
        (6, 'Ã©', 'A', 'A', 'A', 'A')`,
    );
    const result = await diffTables({ a: source, b: target, table: { a: 'legacy', b: 'legacy' }, key: [{ a: 'id', b: 'id' }] });
    expect(result.equal).toBe(false);
    expect(result.onlyInB.map((r) => r.key)).toEqual([['2'], ['3'], ['4']]);
    expect(result.unreadable.a.map((r) => r.column)).toEqual(['a', 'w', 'h']);
    expect(result.changed).toEqual([]);
    expect(result.onlyInA).toEqual([]);
  });
});
