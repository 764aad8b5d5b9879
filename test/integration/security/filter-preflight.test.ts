import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshPostgres } from '../../helpers/databases.js';
import { cli } from './cli-helper.js';
import { tinyProject } from './tiny-project.js';

describe('source filters are checked in pre-flight', () => {
  it('PostgreSQL: the shipped example’s `deleted = 0` on a boolean column fails in plan and before migrate writes, naming object, filter and server message', async (ctx) => {
    const db = await freshPostgres();
    if (!db) return ctx.skip();
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('CREATE TABLE people (id text PRIMARY KEY, name text, email text, deleted boolean NOT NULL DEFAULT false)');
      await client.query("INSERT INTO people VALUES ('1', 'Ann', 'ann@example.com', false)");
      await client.end();
      const dir = mkdtempSync(join(tmpdir(), 'crmbridge-filter-'));
      const file = join(dir, 'crmbridge.yaml');
      writeFileSync(
        file,
        [
          `source: { url: "${db.url}" }`,
          'target: { url: "sqlite:target.db" }',
          'objects:',
          '  people:',
          '    source: { table: people, key: id, filter: "deleted = 0" }',
          '    target: { table: people, key: id }',
          '    fields: { id: id, name: name, email: email }',
          '',
        ].join('\n'),
      );
      const plan = cli(dir, ['plan', '-p', file]);
      expect(plan.code, plan.out).toBe(1);
      expect(plan.out).toContain('[CRM_M5016] people');
      expect(plan.out).toContain('source.filter "deleted = 0"');
      expect(plan.out).toMatch(/operator does not exist: boolean = integer/);
      const migrate = cli(dir, ['migrate', '-p', file]);
      expect(migrate.code, migrate.out).toBe(2);
      expect(migrate.out).toContain('[CRM_M5016]');
      expect(migrate.out).toContain('nothing was written');
    } finally {
      await db.drop();
    }
  });

  it('SQLite: a filter naming a column that does not exist fails in plan', async () => {
    const { dir, file } = await tinyProject();
    writeFileSync(file, readFileSync(file, 'utf8').replace('key: id }', 'key: id, filter: "deleted = 0" }'));
    const plan = cli(dir, ['plan', '-p', file]);
    expect(plan.code, plan.out).toBe(1);
    expect(plan.out).toContain('[CRM_M5016] people');
    expect(plan.out).toMatch(/no such column: deleted/);
  });
});
