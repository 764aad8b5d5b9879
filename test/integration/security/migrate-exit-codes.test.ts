import { describe, expect, it } from 'vitest';
import { cli } from './cli-helper.js';
import { tinyProject } from './tiny-project.js';

describe('a migrate that rejects rows does not exit as completed', () => {
  it('4 of 6 rows rejected: completed_with_rejects, exit 3, and the share that did not arrive', async () => {
    const { dir, file } = await tinyProject({ rows: 6, bad: 4 });
    const r = cli(dir, ['migrate', '-p', file]);
    expect(r.code, r.out).toBe(3);
    expect(r.out).toContain('completed_with_rejects');
    expect(r.out).toContain('people: 4 of 6 rows (66.7 %) rejected, not in the target');
    const runs = cli(dir, ['runs', '-p', file, '--json']);
    expect(JSON.parse(runs.out.slice(runs.out.indexOf('[')))[0].status).toBe('completed_with_rejects');
  });

  it('rejects within a declared maxErrorRatio: completed, exit 0, the share still shown', async () => {
    const { dir, file } = await tinyProject({ rows: 6, bad: 1, extra: 'options: { maxErrorRatio: 0.2 }' });
    const r = cli(dir, ['migrate', '-p', file]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Run \S+ completed in/);
    expect(r.out).toContain('people: 1 of 6 rows (16.7 %) rejected, not in the target');
  });

  it('no rejects: completed, exit 0', async () => {
    const { dir, file } = await tinyProject({ rows: 6, bad: 0 });
    const r = cli(dir, ['migrate', '-p', file]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain('rejected, not in the target');
  });
});
