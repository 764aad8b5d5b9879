import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/contract.js';
import { openConnector } from '../../src/connectors/registry.js';
import type { TableSchema } from '../../src/core/types.js';
import { migrate } from '../../src/engine/migrate/migrate.js';
import { verify } from '../../src/engine/verify/verify.js';
import { compilePlan } from '../../src/mapping/plan/compile-plan.js';
import { preflight } from '../../src/mapping/plan/preflight.js';
import { parseProject } from '../../src/mapping/project/load-project.js';
import { suggestMapping } from '../../src/mapping/suggest/suggest-mapping.js';
import { analyze } from '../../src/schema/analyze.js';
import { renderAnalysis } from '../../src/schema/render-analysis.js';
import { openStateStore } from '../../src/state/index.js';
import { type FreshDatabase, freshMysql, freshPostgres } from '../helpers/databases.js';
import { postgresQuery } from '../helpers/postgres-rows.js';

/**
 * Types crmbridge has no canonical form for, and columns the database computes, in source and
 * target: they must not stop analyze, suggest, plan or migrate when unmapped, and travel exactly
 * when mapped to the same type.
 */
const PG_SOURCE = `
  CREATE TABLE contacts (
    id integer PRIMARY KEY, name text NOT NULL, ip inet, search tsvector, location point, period int4range,
    shout text GENERATED ALWAYS AS (upper(name)) STORED, seq integer GENERATED ALWAYS AS IDENTITY);
  INSERT INTO contacts (id, name, ip, search, location, period) VALUES
    (1, 'Ada', '10.0.0.1/8', to_tsvector('simple', 'analytical engine'), '(1.5,-2)', '[1,10)'),
    (2, 'Bob', '::1', 'a:1 b:2', NULL, 'empty')`;
const PG_TARGET = `
  CREATE TABLE people (
    id integer PRIMARY KEY, name text NOT NULL, ip inet, search tsvector, loc point, spare tsvector, area box,
    label text GENERATED ALWAYS AS (lower(name)) STORED, row_no integer GENERATED ALWAYS AS IDENTITY)`;

const yaml = (url: (side: string) => string, fields: string) => `
source: { url: "${url('source')}" }
target: { url: "${url('target')}" }
objects:
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields:
      id: id
      name: name
${fields}`;

describe('PostgreSQL types with no canonical form, and generated columns', () => {
  let src: FreshDatabase | undefined;
  let tgt: FreshDatabase | undefined;
  let source: Connector;
  let target: Connector;
  let dir: string;

  beforeAll(async () => {
    [src, tgt] = await Promise.all([freshPostgres(), freshPostgres()]);
    if (!src || !tgt) return;
    await postgresQuery(src.url, PG_SOURCE);
    await postgresQuery(tgt.url, PG_TARGET);
    source = await openConnector(src.url);
    target = await openConnector(tgt.url);
    dir = mkdtempSync(join(tmpdir(), 'crmbridge-opaque-'));
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    await Promise.all([src?.drop(), tgt?.drop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('introspects them (opaque with the native type; generated and identity ALWAYS marked)', async (ctx) => {
    if (!src) return ctx.skip();
    const contacts = (await source.introspect()).tables.find((t) => t.name === 'contacts')!;
    const col = (name: string) => contacts.columns.find((c) => c.name === name)!;
    expect(col('search').type).toEqual({ kind: 'opaque', native: 'tsvector', dialect: 'postgres' });
    expect(col('location').type).toEqual({ kind: 'opaque', native: 'point', dialect: 'postgres' });
    expect(col('period').type).toEqual({ kind: 'opaque', native: 'int4range', dialect: 'postgres' });
    expect(col('shout').generated).toBe(true);
    expect(col('seq').generated).toBe(true);
    expect(col('name').generated).toBeUndefined();
  });

  it('analyze lists them as skipped; suggest maps neither them nor generated target columns', async (ctx) => {
    if (!src) return ctx.skip();
    const analysis = await analyze(source);
    const contacts = analysis.tables.find((t) => t.name === 'contacts')!;
    expect(contacts.unsupported?.map((c) => c.name)).toEqual(['search', 'location', 'period']);
    expect(contacts.columns.map((c) => c.name)).not.toContain('search');
    expect(renderAnalysis(analysis)).toContain('search (tsvector): type not supported, skipped');
    const targetTables = (await target.introspect()).tables as TableSchema[];
    const report = suggestMapping(analysis, { tables: targetTables });
    const mappedTargets = report.objects.flatMap((o) => o.fields.map((f) => f.target));
    expect(mappedTargets).toContain('name');
    for (const never of ['label', 'row_no', 'search', 'loc', 'spare', 'area']) expect(mappedTargets).not.toContain(never);
  });

  it('plan: same type passes; into another type, or into a generated column, is a named error', async (ctx) => {
    if (!src) return ctx.skip();
    const schemas = { source: await source.introspect(), target: await target.introspect() };
    const url = (side: string) => (side === 'source' ? src!.url : tgt!.url);
    const ok = compilePlan(parseProject(yaml(url, '      search: search\n      loc: location\n      ip: ip\n'), 'crmbridge.yaml'));
    expect(preflight(ok, schemas).filter((p) => p.severity === 'error')).toEqual([]);
    const bad = compilePlan(
      parseProject(yaml(url, '      spare: location\n      area: period\n      label: name\n      row_no: id\n'), 'crmbridge.yaml'),
    );
    const problems = preflight(bad, schemas).filter((p) => p.severity === 'error');
    expect(problems.map((p) => [p.code, p.field])).toEqual([
      ['CRM_S3006', 'label'],
      ['CRM_S3006', 'row_no'],
      ['CRM_S3005', 'spare'],
      ['CRM_S3005', 'area'],
    ]);
    expect(problems[2].message).toContain('contacts.location has the postgres type point');
  });

  it('migrate: unmapped ones are left alone, mapped same-type ones travel as their exact text, computed ones are filled by the database', async (ctx) => {
    if (!src || !tgt) return ctx.skip();
    const url = (side: string) => (side === 'source' ? src!.url : tgt!.url);
    const plan = compilePlan(parseProject(yaml(url, '      search: search\n      loc: location\n      ip: ip\n'), 'crmbridge.yaml'));
    const state = await openStateStore(join(dir, '.crmbridge'));
    try {
      const result = await migrate({ plan, source, target, state, targetSchema: await target.introspect() });
      expect(result.ledger.find((l) => l.object === 'people')).toMatchObject({ read: 2, created: 2, rejected: 0 });
      // verify compares them as their text, in the database.
      const verified = await verify({ plan, source, target, state });
      expect(verified.equal).toBe(true);
    } finally {
      await state.close();
    }
    const [rows] = await postgresQuery(tgt.url, 'SELECT id, ip::text, search::text, loc::text, label, row_no FROM people ORDER BY id');
    const [expected] = await postgresQuery(src.url, 'SELECT id, ip::text, search::text, location::text AS loc FROM contacts ORDER BY id');
    expect(rows.rows.map(({ label: _l, row_no: _r, ...r }) => r)).toEqual(expected.rows);
    expect(rows.rows.map((r) => r.label)).toEqual(['ada', 'bob']);
    expect(rows.rows.map((r) => typeof r.row_no)).toEqual(['number', 'number']);
  });
});

describe('MariaDB POINT, SET and BIT(n)', () => {
  let src: FreshDatabase | undefined;
  let tgt: FreshDatabase | undefined;

  beforeAll(async () => {
    [src, tgt] = await Promise.all([freshMysql(), freshMysql()]);
    if (!src || !tgt) return;
    const a = await mysql.createConnection({ uri: src.url, multipleStatements: true });
    await a.query(`CREATE TABLE contacts (id int PRIMARY KEY, name varchar(20) NOT NULL, spot POINT, tags SET('a','b','c'), flags BIT(3),
        shape GEOMETRY, shout varchar(20) AS (upper(name)) STORED);
      INSERT INTO contacts (id, name, spot, tags, flags, shape) VALUES
        (1, 'Ada', ST_GeomFromText('POINT(1.5 2)', 4326), 'a,c', b'101', ST_GeomFromText('LINESTRING(0 0,1 1)')),
        (2, 'Bob', NULL, '', b'000', NULL)`);
    await a.end();
    const b = await mysql.createConnection({ uri: tgt.url, multipleStatements: true });
    await b.query(`CREATE TABLE people (id int PRIMARY KEY, name varchar(20) NOT NULL, spot POINT, other GEOMETRY,
      loud varchar(20) AS (upper(name)) VIRTUAL)`);
    await b.end();
  });
  afterAll(async () => Promise.all([src?.drop(), tgt?.drop()]));

  it('analyze and migrate succeed with them unmapped; a mapped POINT arrives with the same SRID and coordinates', async (ctx) => {
    if (!src || !tgt) return ctx.skip();
    const source = await openConnector(src.url);
    const target = await openConnector(tgt.url);
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-opaque-my-'));
    try {
      const analysis = await analyze(source);
      expect(analysis.tables[0].unsupported?.map((c) => c.nativeType)).toEqual(['point', 'geometry']);
      // A project file holds no password: the URLs go through the environment.
      process.env.CRMBRIDGE_OPAQUE_SOURCE = src.url;
      process.env.CRMBRIDGE_OPAQUE_TARGET = tgt.url;
      const url = (side: string) => `\${env:CRMBRIDGE_OPAQUE_${side.toUpperCase()}}`;
      const plan = compilePlan(parseProject(yaml(url, '      spot: spot\n'), 'crmbridge.yaml'));
      const schemas = { source: await source.introspect(), target: await target.introspect() };
      expect(schemas.source.tables[0].columns.find((c) => c.name === 'shout')?.generated).toBe(true);
      expect(preflight(plan, schemas).filter((p) => p.severity === 'error')).toEqual([]);
      const state = await openStateStore(join(dir, '.crmbridge'));
      try {
        const result = await migrate({ plan, source, target, state, targetSchema: schemas.target });
        expect(result.objects[0].error).toBeUndefined();
        expect(result.ledger[0]).toMatchObject({ read: 2, created: 2, rejected: 0 });
      } finally {
        await state.close();
      }
      const conn = await mysql.createConnection({ uri: tgt.url });
      const [rows] = await conn.query('SELECT id, ST_AsText(spot) AS wkt, ST_SRID(spot) AS srid, loud FROM people ORDER BY id');
      await conn.end();
      expect(rows).toEqual([
        { id: 1, wkt: 'POINT(1.5 2)', srid: 4326, loud: 'ADA' },
        { id: 2, wkt: null, srid: null, loud: 'BOB' },
      ]);
    } finally {
      await source.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite generated columns', () => {
  it('are introspected, marked generated, and refused as a mapped target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crmbridge-generated-'));
    const path = join(dir, 'crm.db');
    const raw = new Database(path);
    raw.exec(`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, loud TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL,
      quiet TEXT GENERATED ALWAYS AS (lower(name)) STORED)`);
    raw.close();
    const connector = await openConnector(`sqlite:${path}`);
    try {
      const schema = await connector.introspect();
      const people = schema.tables[0];
      expect(people.columns.map((c) => [c.name, c.generated ?? false])).toEqual([
        ['id', false],
        ['name', false],
        ['loud', true],
        ['quiet', true],
      ]);
      const project = `
source: { url: "sqlite:${path}" }
target: { url: "sqlite:${path}" }
objects:
  people:
    source: { table: people, key: id }
    target: { table: people, key: id }
    fields: { id: id, name: name, loud: name }
`;
      const problems = preflight(compilePlan(parseProject(project, 'crmbridge.yaml')), { source: schema, target: schema });
      expect(problems.map((p) => [p.code, p.field])).toEqual([['CRM_S3006', 'loud']]);
    } finally {
      await connector.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
