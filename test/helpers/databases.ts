import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { inject } from 'vitest';

/** A database created for one test file on the shared throwaway server. */
export interface FreshDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

const uniqueName = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new empty PostgreSQL database, or undefined when no server is available (the test skips). */
export async function freshPostgres(): Promise<FreshDatabase | undefined> {
  const admin = inject('pgUrl');
  if (!admin) return undefined;
  const name = uniqueName('t');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A new empty MariaDB database, or undefined when no server is available (the test skips). */
export async function freshMysql(): Promise<FreshDatabase | undefined> {
  const admin = inject('mysqlUrl');
  if (!admin) return undefined;
  const name = uniqueName('t');
  const conn = await mysql.createConnection(admin);
  await conn.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await conn.end();
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const c = await mysql.createConnection(admin);
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}
