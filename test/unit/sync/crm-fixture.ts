import mysql from 'mysql2/promise';
import pg from 'pg';
import { postgresRows } from '../../helpers/postgres-rows.js';

/**
 * A small legacy CRM (SuiteCRM-like: a custom-field side table, an e-mail relation table with a
 * second hop, a soft-delete flag) for the sync tests, on PostgreSQL or MariaDB, plus a seeded
 * writer that changes it the way users do, and a dump of the PostgreSQL target to compare.
 */

/** `?` placeholders; a thin client over both engines. */
export interface Sql {
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  rows(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function sqlClient(url: string): Promise<Sql> {
  if (url.startsWith('postgres')) {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on('error', () => {});
    const numbered = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    return {
      run: async (sql, params = []) => {
        await pool.query(numbered(sql), [...params]);
      },
      rows: async (sql, params = []) => (await pool.query(numbered(sql), [...params])).rows as Record<string, unknown>[],
      close: () => pool.end(),
    };
  }
  const pool = mysql.createPool({ uri: url, connectionLimit: 4 });
  return {
    run: async (sql, params = []) => {
      await pool.query(sql, [...params]);
    },
    rows: async (sql, params = []) => (await pool.query(sql, [...params]))[0] as Record<string, unknown>[],
    close: () => pool.end(),
  };
}

export const SOURCE_DDL = [
  'CREATE TABLE accounts (id varchar(20) PRIMARY KEY, name varchar(200), deleted int NOT NULL DEFAULT 0)',
  'CREATE TABLE accounts_cstm (id_c varchar(20) PRIMARY KEY, industry_c varchar(100))',
  'CREATE TABLE contacts (id varchar(20) PRIMARY KEY, account_id varchar(20), first_name varchar(100), last_name varchar(100), deleted int NOT NULL DEFAULT 0)',
  'CREATE TABLE email_addresses (id varchar(20) PRIMARY KEY, email_address varchar(200))',
  'CREATE TABLE email_addr_bean_rel (id varchar(20) PRIMARY KEY, bean_id varchar(20), email_address_id varchar(20), deleted int NOT NULL DEFAULT 0)',
  'CREATE TABLE tasks (id varchar(20) PRIMARY KEY, contact_id varchar(20), subject varchar(200))',
];

export const TARGET_DDL = [
  'CREATE TABLE companies (id text PRIMARY KEY, name text, industry text, is_deleted int)',
  'CREATE TABLE people (id text PRIMARY KEY, company_id text, full_name text, email text)',
  'CREATE TABLE tasks (id text PRIMARY KEY, person_id text, subject text)',
];

export const TARGET_TABLES = ['companies', 'people', 'tasks'] as const;

/** A URL with its password moved to an environment variable (project files refuse inline secrets). */
export function secretFree(url: string): string {
  const parsed = new URL(url);
  if (!parsed.password) return url;
  process.env.CRMBRIDGE_SYNC_TEST_PASSWORD = decodeURIComponent(parsed.password);
  return url.replace(`:${parsed.password}@`, ':${env:CRMBRIDGE_SYNC_TEST_PASSWORD}@');
}

export function projectYaml(sourceUrl: string, targetUrl: string, batchSize = 500): string {
  return `
source: { url: "${secretFree(sourceUrl)}" }
target: { url: "${secretFree(targetUrl)}" }
options: { batchSize: ${batchSize}, parallelism: 2 }
objects:
  companies:
    source: { table: accounts, key: id, join: [{ table: accounts_cstm, on: { id_c: id } }] }
    target: { table: companies, key: id }
    fields:
      id: id
      name: name
      industry: industry_c
      is_deleted: deleted
    sync: { deletes: soft_delete, softDelete: { source: deleted, target: is_deleted } }
  people:
    source: { table: contacts, key: id, filter: "deleted = 0" }
    target: { table: people, key: id }
    fields:
      id: id
      company_id: { from: account_id, ref: { object: companies, onMissing: null } }
      full_name: { from: [first_name, last_name], transform: [{ concat: { separator: " " } }] }
      email:
        lookup:
          table: email_addr_bean_rel
          match: bean_id
          where: { deleted: 0 }
          orderBy: id
          through: { table: email_addresses, match: id, from: email_address_id }
          value: email_address
    sync: { deletes: delete }
  tasks:
    source: { table: tasks, key: id }
    target: { table: tasks, key: id }
    fields:
      id: id
      person_id: { from: contact_id, ref: people }
      subject: subject
    sync: { deletes: delete }
`;
}

const id = (p: string, i: number) => `${p}${String(i).padStart(6, '0')}`;

/** Seeds the source: `accounts` accounts, 3 contacts and 1 task per account, an e-mail per contact. */
export async function seedSource(sql: Sql, accounts: number): Promise<void> {
  for (const ddl of SOURCE_DDL) await sql.run(ddl);
  const chunk = 500;
  for (let from = 0; from < accounts; from += chunk) {
    const n = Math.min(chunk, accounts - from);
    const range = Array.from({ length: n }, (_, i) => from + i);
    const values = (per: number, row: (i: number, j: number) => unknown[]) => {
      const rows = range.flatMap((i) => Array.from({ length: per }, (_, j) => row(i, j)));
      return { text: rows.map((r) => `(${r.map(() => '?').join(', ')})`).join(', '), params: rows.flat() };
    };
    const insert = async (table: string, columns: string, per: number, row: (i: number, j: number) => unknown[]) => {
      const v = values(per, row);
      await sql.run(`INSERT INTO ${table} (${columns}) VALUES ${v.text}`, v.params);
    };
    await insert('accounts', 'id, name, deleted', 1, (i) => [id('a', i), `Account ${i}`, 0]);
    await insert('accounts_cstm', 'id_c, industry_c', 1, (i) => [id('a', i), i % 3 === 0 ? 'Retail' : 'Energy']);
    await insert('contacts', 'id, account_id, first_name, last_name, deleted', 3, (i, j) => [
      id('c', i * 3 + j),
      id('a', i),
      `First${i}`,
      `Last${j}`,
      0,
    ]);
    await insert('email_addresses', 'id, email_address', 3, (i, j) => [id('e', i * 3 + j), `p${i * 3 + j}@example.com`]);
    await insert('email_addr_bean_rel', 'id, bean_id, email_address_id, deleted', 3, (i, j) => [
      id('r', i * 3 + j),
      id('c', i * 3 + j),
      id('e', i * 3 + j),
      0,
    ]);
    await insert('tasks', 'id, contact_id, subject', 1, (i) => [id('t', i), id('c', i * 3), `Call ${i}`]);
  }
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One random user edit of the source, each its own transaction: renames, custom-field edits,
 * soft deletes of accounts, new contacts with e-mails and tasks, contact deletes (hard, leaving
 * their tasks behind, or by flag), e-mail edits on the second hop, relation rows moved.
 */
export function editor(sql: Sql, accounts: number, seed: number): (step: number) => Promise<void> {
  const rnd = random(seed);
  const pick = (n: number) => Math.floor(rnd() * n);
  let fresh = 0;
  return async (step) => {
    const a = id('a', pick(accounts));
    const c = id('c', pick(accounts * 3));
    switch (pick(9)) {
      case 0:
        return sql.run('UPDATE accounts SET name = ? WHERE id = ?', [`Renamed ${step}`, a]);
      case 1:
        return sql.run('UPDATE accounts_cstm SET industry_c = ? WHERE id_c = ?', [`Industry ${step}`, a]);
      case 2:
        return sql.run('UPDATE accounts SET deleted = 1 - deleted, name = ? WHERE id = ?', [`Flagged ${step}`, a]);
      case 3: {
        const n = `${seed}x${fresh++}`;
        await sql.run('INSERT INTO contacts (id, account_id, first_name, last_name, deleted) VALUES (?, ?, ?, ?, 0)', [
          `cn${n}`,
          a,
          'New',
          `Person ${step}`,
        ]);
        await sql.run('INSERT INTO email_addresses (id, email_address) VALUES (?, ?)', [`en${n}`, `new${n}@example.com`]);
        await sql.run('INSERT INTO email_addr_bean_rel (id, bean_id, email_address_id, deleted) VALUES (?, ?, ?, 0)', [
          `rn${n}`,
          `cn${n}`,
          `en${n}`,
        ]);
        return sql.run('INSERT INTO tasks (id, contact_id, subject) VALUES (?, ?, ?)', [`tn${n}`, `cn${n}`, `Follow up ${step}`]);
      }
      case 4:
        return sql.run('DELETE FROM contacts WHERE id = ?', [c]);
      case 5:
        return sql.run('UPDATE contacts SET deleted = 1 - deleted WHERE id = ?', [c]);
      case 6:
        return sql.run('UPDATE email_addresses SET email_address = ? WHERE id = ?', [`changed${step}@example.com`, `e${c.slice(1)}`]);
      case 7:
        return sql.run('UPDATE email_addr_bean_rel SET bean_id = ? WHERE id = ?', [c, id('r', pick(accounts * 3))]);
      default:
        return sql.run('UPDATE contacts SET first_name = ?, account_id = ? WHERE id = ?', [`Edited${step}`, a, c]);
    }
  };
}

/** Every target row, as text, in key order: what "equal through the mapping" compares. */
export function dumpTarget(url: string): Promise<string[]> {
  return postgresRows(url, TARGET_TABLES);
}

export async function createTargetTables(url: string): Promise<void> {
  const sql = await sqlClient(url);
  for (const ddl of TARGET_DDL) await sql.run(ddl);
  await sql.close();
}

/** Drops a test database's replication slots (a database with a slot cannot be dropped), then the database. */
export async function dropWithSlots(db: { url: string; drop(): Promise<void> }): Promise<void> {
  if (!db.url.startsWith('postgres')) return db.drop();
  const name = new URL(db.url).pathname.slice(1);
  const admin = new URL(db.url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL', [
      name,
    ]);
    await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1', [name]);
  } finally {
    await client.end();
  }
  await db.drop();
}
