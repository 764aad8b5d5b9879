import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadBatch, ReadReject } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import { CrmError } from '../../src/core/errors/index.js';
import type { Row } from '../../src/core/types.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { type FreshDatabase, freshMysql } from '../helpers/databases.js';

/** Zero dates in NOT NULL columns, as a legacy MySQL without NO_ZERO_DATE stored them. */
async function readAll(url: string, options?: Readonly<Record<string, unknown>>): Promise<{ rows: Row[]; rejects: ReadReject[] }> {
  const connector = await openConnector(url, options);
  try {
    const batches: ReadBatch[] = [];
    for await (const b of connector.read('people', { orderBy: ['id'] })) batches.push(b);
    return { rows: batches.flatMap((b) => b.rows), rejects: batches.flatMap((b) => b.rejects ?? []) };
  } finally {
    await connector.close();
  }
}

describe('MySQL zero dates follow the declared rule', () => {
  let db: FreshDatabase | undefined;

  beforeAll(async () => {
    db = await freshMysql();
    if (!db) return;
    const admin = await mysql.createConnection({ uri: db.url, multipleStatements: true });
    await admin.query(`SET sql_mode = '';
      CREATE TABLE people (id int PRIMARY KEY, born date NOT NULL, seen datetime NOT NULL, paid timestamp NULL);
      INSERT INTO people VALUES (1, '2020-01-02', '2020-01-02 03:04:05', '2021-01-01 00:00:00'),
        (2, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
        (3, '2020-00-00', '2020-05-00 10:00:00', NULL)`);
    await admin.end();
  });
  afterAll(async () => db?.drop());

  it('reads them as NULL by default, in NOT NULL columns too, with no reject at read', async (ctx) => {
    if (!db) return ctx.skip();
    const { rows, rejects } = await readAll(db.url);
    expect(rejects).toEqual([]);
    expect(rows).toEqual([
      [1, '2020-01-02', '2020-01-02 03:04:05.000000', '2021-01-01T00:00:00.000000Z'],
      [2, null, null, null],
      [3, null, null, null],
    ]);
  });

  it('rejects them (zero_date) or gives the declared value, per source and per column', async (ctx) => {
    if (!db) return ctx.skip();
    const rejected = await readAll(db.url, { zeroDate: 'reject' });
    expect(rejected.rows.map((r) => r[0])).toEqual([1]);
    expect(rejected.rejects.map((r) => [r.code, r.column])).toEqual([
      ['CRM_R4017', 'born'],
      ['CRM_R4017', 'born'],
    ]);
    expect(rejected.rejects[1].message).toContain('2020-00-00');

    const declared = await readAll(db.url, { zeroDate: '1970-01-01', zeroDates: { 'people.paid': null, 'people.seen': 'reject' } });
    expect(declared.rejects.map((r) => [r.code, r.column])).toEqual([
      ['CRM_R4017', 'seen'],
      ['CRM_R4017', 'seen'],
    ]);
    const valued = await readAll(db.url, { zeroDate: '1970-01-01 12:00:00', zeroDates: { 'people.paid': null } });
    expect(valued.rows.slice(1)).toEqual([
      [2, '1970-01-01', '1970-01-01 12:00:00.000000', null],
      [3, '1970-01-01', '1970-01-01 12:00:00.000000', null],
    ]);
  });

  it('refuses a rule that is neither null, reject nor a date', async (ctx) => {
    if (!db) return ctx.skip();
    const err = await openConnector(db.url, { zeroDate: 'sometimes' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).code).toBe('CRM_C1003');
  });

  it('the plan carries the fields’ rules to the source, and refuses two rules for one column', () => {
    const yaml = (second: string) => `
source: { url: "mysql://u@h/db", options: { zeroDate: reject } }
target: { url: "sqlite:out.db" }
objects:
  people:
    source: { table: people, key: id, join: [{ table: people_cstm, on: { id_c: id }, prefix: c_ }] }
    target: { table: persons, key: id }
    fields:
      id: id
      born_on: { from: born, zeroDate: null }
      last_seen: { from: c_seen, zeroDate: "1970-01-01" }
      seen_again: { from: c_seen${second} }
`;
    const plan = compilePlan(parseProject(yaml(''), 'crmbridge.yaml'));
    expect(plan.source.options).toEqual({
      zeroDate: 'reject',
      zeroDates: { 'people.born': null, 'people.c_seen': '1970-01-01', 'people_cstm.seen': '1970-01-01' },
    });
    const err = (() => {
      try {
        return compilePlan(parseProject(yaml(', zeroDate: reject'), 'crmbridge.yaml'));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).code).toBe('CRM_M5001');
  });
});
