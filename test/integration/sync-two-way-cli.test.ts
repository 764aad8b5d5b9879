import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { expect, it } from 'vitest';
import { registerConflicts } from '../../src/cli/commands/conflicts-command.js';
import { registerSync } from '../../src/cli/commands/sync-command.js';
import type { StoredConflict } from '../../src/state/state-store.js';
import { databasePairs } from '../helpers/database-pair.js';
import { freshPostgres } from '../helpers/databases.js';
import { secretFree } from '../unit/sync/crm-fixture.js';

const pair = databasePairs();

/** Runs one crmbridge command in this process; returns its exit code and what it printed on stdout. */
async function crmbridge(...args: string[]): Promise<{ code: number; stdout: string }> {
  const program = new Command().exitOverride();
  registerSync(program);
  registerConflicts(program);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  };
  try {
    process.exitCode = 0;
    await program.parseAsync(['node', 'crmbridge', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout };
}

it('crmbridge sync --two-way --once applies both directions, and crmbridge conflicts --json lists the conflict', async (ctx) => {
  const dbs = await pair(freshPostgres, freshPostgres, {
    source: ['CREATE TABLE contacts (id int PRIMARY KEY, first text, updated_at timestamp NOT NULL)'],
    target: ['CREATE TABLE people (id int PRIMARY KEY, first_name text, updated_at timestamp NOT NULL)'],
  });
  if (!dbs) return ctx.skip();
  const { src, tgt, s, t, dir } = dbs;
  await s.run("INSERT INTO contacts SELECT g, 'P' || g, '2026-01-01' FROM generate_series(1, 5) g");
  const project = join(dir, 'crmbridge.yaml');
  writeFileSync(
    project,
    `
source: { url: "${secretFree(src.url)}" }
target: { url: "${secretFree(tgt.url)}" }
objects:
  people:
    source: { table: contacts, key: id }
    target: { table: people, key: id }
    fields: { id: id, first_name: first, updated_at: updated_at }
    sync: { updatedAt: { source: updated_at, target: updated_at }, conflict: target_wins, owners: { updated_at: source } }
`,
  );
  // The first round loads the target (no migrate needed for a new target) and takes the baseline.
  expect((await crmbridge('sync', '--two-way', '--once', '--mode', 'poll', '-p', project)).code).toBe(0);
  await s.run("UPDATE contacts SET first = 'Src', updated_at = '2026-02-01' WHERE id = 2");
  await t.run("UPDATE people SET first_name = 'Tgt', updated_at = '2026-02-02' WHERE id = 2");
  await t.run("UPDATE people SET first_name = 'Only target', updated_at = '2026-02-02' WHERE id = 3");
  expect((await crmbridge('sync', '--two-way', '--once', '--mode', 'poll', '-p', project)).code).toBe(0);
  expect(await s.rows('SELECT first FROM contacts WHERE id IN (2, 3) ORDER BY id')).toEqual([{ first: 'Tgt' }, { first: 'Only target' }]);
  expect(await t.rows('SELECT first_name FROM people WHERE id IN (2, 3) ORDER BY id')).toEqual([
    { first_name: 'Tgt' },
    { first_name: 'Only target' },
  ]);
  const listed = await crmbridge('conflicts', '--json', '-p', project);
  expect(listed.code).toBe(0);
  const conflicts = JSON.parse(listed.stdout) as StoredConflict[];
  expect(conflicts.map((c) => [c.object, c.sourceKey, c.field, c.sourceValue, c.targetValue, c.resolution])).toEqual([
    ['people', '["2"]', 'first_name', 'Src', 'Tgt', 'target_wins'],
  ]);
});
