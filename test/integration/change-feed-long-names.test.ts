import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { shortenIdentifier } from '../../src/core/identifiers.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { dropWithSlots } from '../unit/sync/crm-fixture.js';

/**
 * A change feed follows a table by the name the mapping gives it: a table stored under a
 * shortened identifier (over 63 bytes in PostgreSQL, 64 in MySQL/MariaDB) is reported under
 * that name, so sync routes its changes to the objects written to it.
 */
const LONG_TABLE = 'companies_imported_from_the_legacy_crm_with_every_custom_field_kept';
const dbs: FreshDatabase[] = [];
const opened: Connector[] = [];
afterAll(async () => {
  for (const c of opened) await c.close();
  for (const db of dbs) await dropWithSlots(db);
});

describe.each([
  ['PostgreSQL', freshPostgres, 63],
  ['MariaDB', freshMysql, 64],
] as const)('a change feed on %s', (label, fresh, limit) => {
  it('reports changes of a table stored under a shortened identifier under the name it follows', async (ctx) => {
    const db = await fresh();
    if (!db) return ctx.skip();
    dbs.push(db);
    const stored = shortenIdentifier(LONG_TABLE, limit);
    const create = `CREATE TABLE ${label === 'MariaDB' ? `\`${stored}\`` : `"${stored}"`} (id bigint PRIMARY KEY, name text)`;
    const insert = `INSERT INTO ${label === 'MariaDB' ? `\`${stored}\`` : `"${stored}"`} VALUES (1, 'Acme')`;
    const sql = async (text: string) => {
      if (label === 'MariaDB') {
        const conn = await mysql.createConnection(db.url);
        await conn.query(text);
        await conn.end();
      } else {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        await client.query(text);
        await client.end();
      }
    };
    await sql(create);
    const connector = await openConnector(db.url);
    opened.push(connector);
    const feed = connector.changes!({ name: 'long', tables: [LONG_TABLE] });
    const start = (await feed.prepare()).position;
    await sql(insert);
    const { head } = await feed.status();
    const tables: string[] = [];
    for await (const tx of feed.transactions(start, { until: head })) for (const change of tx.changes) tables.push(change.table);
    await feed.close();
    expect(tables).toEqual([LONG_TABLE]);
  }, 120_000);
});
