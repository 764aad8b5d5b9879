import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-helper.js';
import { tinyProject } from './tiny-project.js';

/** A project whose mapping runs a `custom` transform from a module beside the file, as the README shows it. */
async function customProject() {
  const project = await tinyProject({
    fields: '{ id: id, name: { from: name, transform: [{ custom: { module: ./transforms.js, export: shout } }] }, email: email }',
  });
  writeFileSync(join(project.dir, 'transforms.js'), 'export function shout(value) {\n  return `${value}!`.toUpperCase();\n}\n');
  return project;
}

describe('custom transform modules from the command line', () => {
  it('are loaded by plan, migrate, verify, repair and sync', async () => {
    const { dir, file } = await customProject();
    const plan = cli(dir, ['plan', '-p', file]);
    expect(plan.code, plan.out).toBe(0);
    expect(plan.out).toContain('Pre-flight: no problems.');
    const migrate = cli(dir, ['migrate', '-p', file]);
    expect(migrate.code, migrate.out).toBe(0);
    const target = new Database(join(dir, 'target.db'), { readonly: true });
    expect(target.prepare('SELECT name FROM people ORDER BY id LIMIT 1').pluck().get()).toBe('PERSON 1!');
    target.close();
    const verify = cli(dir, ['verify', '-p', file]);
    expect(verify.code, verify.out).toBe(0);
    const repair = cli(dir, ['repair', '-p', file]);
    expect(repair.code, repair.out).toBe(0);
    const sync = cli(dir, ['sync', '--once', '-p', file]);
    expect(sync.out).not.toContain('was not loaded');
    expect(sync.code, sync.out).toBe(0);
  });

  it('--no-custom refuses a mapping that runs code, before anything runs', async () => {
    const { dir, file } = await customProject();
    for (const command of ['plan', 'migrate', 'verify', 'repair', 'sync']) {
      const r = cli(dir, [command, '--no-custom', '-p', file]);
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain('[CRM_M5015]');
      expect(r.out).toContain('./transforms.js');
    }
  });
});
