import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { diffTables } from '../../src/engine/verify/table-diff.js';
import { type FreshDatabase, freshPostgres } from '../helpers/databases.js';
import { postgresQuery } from '../helpers/postgres-rows.js';

/**
 * SQLite stores whatever bytes it is given as TEXT, and better-sqlite3 hands out bytes that are
 * not UTF-8 as U+FFFD without a word. Row 2 holds latin1 `é` (0xE9), row 4 a stored U+FFFD.
 */
describe('SQLite text that is not UTF-8', () => {
  let dir: string;
  let pgDb: FreshDatabase | undefined;
  let source: Connector;
  let target: Connector | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crmbridge-utf8-'));
    const path = join(dir, 'legacy.db');
    const raw = new Database(path);
    raw.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
      INSERT INTO notes VALUES (1, 'plain'), (2, CAST(x'436166e9' AS TEXT)), (3, 'Café'), (4, 'A' || char(65533));
      CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT) WITHOUT ROWID;
      INSERT INTO tags VALUES (1, 'ok'), (2, CAST(x'41ff' AS TEXT));`);
    raw.close();
    source = await openConnector(`sqlite:${path}`);
    pgDb = await freshPostgres();
    if (pgDb) target = await openConnector(pgDb.url);
  });

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await pgDb?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects bytes that are not UTF-8 (invalid_encoding, column, bytes, offset) and keeps a stored U+FFFD', async () => {
    const rows = [];
    const rejects = [];
    for await (const batch of source.read('notes', { orderBy: ['id'] })) {
      rows.push(...batch.rows);
      rejects.push(...(batch.rejects ?? []));
    }
    expect(rows).toEqual([
      [1n, 'plain'],
      [3n, 'Café'],
      [4n, 'A\uFFFD'],
    ]);
    expect(rejects.map((r) => [r.code, r.column])).toEqual([['CRM_R4002', 'body']]);
    expect(rejects[0].message).toContain('0xE9 at offset 3');
    // A key lookup reads the bytes too: it fails rather than hand back U+FFFD.
    expect((await source.readByKeys('notes', ['id'], [[4n]])).rows).toEqual([[4n, 'A\uFFFD']]);
    const err = await source.readByKeys('notes', ['id'], [[2n]]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CRM_R4002' });
  });

  it('without a rowid to read the bytes by, a text with U+FFFD is rejected rather than passed on', async () => {
    const rejects = [];
    for await (const batch of source.read('tags')) rejects.push(...(batch.rejects ?? []));
    expect(rejects.map((r) => [r.code, r.column])).toEqual([['CRM_R4002', 'label']]);
  });

  it('diff does not call a target holding U+FFFD equal to the bytes it replaced', async (ctx) => {
    if (!pgDb || !target) return ctx.skip();
    await postgresQuery(
      pgDb.url,
      `CREATE TABLE notes (id bigint PRIMARY KEY, body text);
      INSERT INTO notes VALUES (1, 'plain'), (2, E'Caf\\uFFFD'), (3, 'Café'), (4, E'A\\uFFFD')`,
    );
    for (const pushdown of [true, false]) {
      const result = await diffTables({ a: source, b: target, table: { a: 'notes', b: 'notes' }, key: [{ a: 'id', b: 'id' }], pushdown });
      expect(result.equal, `pushdown ${pushdown}`).toBe(false);
      const differing = [...result.onlyInB.map((r) => r.key), ...result.changed.map((c) => c.key)];
      expect(differing).toEqual([['2']]);
    }
  });
});
