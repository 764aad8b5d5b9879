import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'crmbridge-workflow-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new user's path on a HubSpot-style CSV export: analyze → suggest → migrate → rejects → runs. */
it('runs the whole workflow on CSV exports and exports the rejects with their original records', () => {
  mkdirSync(join(dir, 'export'));
  writeFileSync(
    join(dir, 'export', 'contacts.csv'),
    [
      '"Record ID","First Name","Last Name","Email","Phone Number","Create Date"',
      '"101","Ana","García","ana@acme.io","+34 612 345 678","2024-03-01 10:00"',
      '"102","Bo","Li","BO.LI@EXAMPLE.COM","(415) 555-0132","2024-03-02 11:30"',
      '"103","Chloé","Dupont","not-an-email","","2024-03-05 09:15"',
    ].join('\r\n'),
  );
  expect(cli('analyze', 'export/').code).toBe(0);
  const suggested = cli('suggest', 'export/', '--target', 'modern', '-o', 'crmbridge.yaml');
  expect(suggested.code, suggested.err).toBe(0);
  const migrated = cli('migrate');
  expect(migrated.code, migrated.err).toBe(3); // completed_with_rejects: the export has bad rows
  expect(migrated.out).toMatch(/people\s+│ ok\s+│ 3\s+│ 2\s+│ 0\s+│ 0\s+│ 1 /);

  expect(cli('rejects', '--export', 'rejects.csv').code).toBe(0);
  const rows = parse(readFileSync(join(dir, 'rejects.csv')), { columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ object: 'people', sourceKey: '["103"]', reason: 'invalid_email', rawValue: 'not-an-email' });
  expect(JSON.parse(rows[0].record)).toMatchObject({ 'First Name': 'Chloé', Email: 'not-an-email' });

  expect(cli('rejects', '--export', 'rejects.ndjson').code).toBe(0);
  const line = JSON.parse(readFileSync(join(dir, 'rejects.ndjson'), 'utf8').trim());
  expect(line.record['Last Name']).toBe('Dupont');

  const runs = JSON.parse(cli('runs', '--json').out) as { status: string; ledger: { object: string; read: number }[] }[];
  expect(runs[0].status).toBe('completed_with_rejects');
  expect(runs[0].ledger.find((l) => l.object === 'people')?.read).toBe(3);
}, 120_000);
