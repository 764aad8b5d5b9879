import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-helper.js';
import { tinyProject } from './tiny-project.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('the state folder holds personal data: owner-only modes', () => {
  it('creates .crmbridge 0700 and its files 0600 (state db, -wal, -shm, reports, exports); tightens an existing folder', async () => {
    const { dir, file } = await tinyProject({ bad: 2 });
    const state = join(dir, '.crmbridge');
    mkdirSync(state, { mode: 0o755 });
    chmodSync(state, 0o755);
    const run = cli(dir, ['migrate', '-p', file]);
    expect(run.code, run.out).not.toBe(2);
    const exported = join(dir, 'rejects.csv');
    const exp = cli(dir, ['rejects', '-p', file, '--export', exported]);
    expect(exp.code, exp.out).toBe(0);

    expect(mode(state).toString(8)).toBe('700');
    expect(mode(join(state, 'reports')).toString(8)).toBe('700');
    const files = [
      ...readdirSync(state)
        .filter((f) => f.startsWith('state.db'))
        .map((f) => join(state, f)),
      ...readdirSync(join(state, 'reports')).map((f) => join(state, 'reports', f)),
      exported,
    ];
    expect(files.some((f) => f.endsWith('.html'))).toBe(true);
    for (const f of files) expect([f, mode(f).toString(8)]).toEqual([f, '600']);
  });
});
