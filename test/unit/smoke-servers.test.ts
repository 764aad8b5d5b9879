import mysql from 'mysql2/promise';
import pg from 'pg';
import { expect, inject, it } from 'vitest';

it('the throwaway PostgreSQL runs with logical replication', async (ctx) => {
  const url = inject('pgUrl');
  if (!url) return ctx.skip();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query('SHOW wal_level');
  await client.end();
  expect(rows[0].wal_level).toBe('logical');
});

it('the throwaway MariaDB runs with a ROW binary log', async (ctx) => {
  const url = inject('mysqlUrl');
  if (!url) return ctx.skip();
  const conn = await mysql.createConnection(url);
  const [rows] = await conn.query("SHOW VARIABLES LIKE 'binlog_format'");
  await conn.end();
  expect((rows as { Value: string }[])[0].Value).toBe('ROW');
});
