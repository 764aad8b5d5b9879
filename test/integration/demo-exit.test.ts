import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from './security/cli-helper.js';

const dir = mkdtempSync(join(tmpdir(), 'crmbridge-demo-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The README's first command is the demo. Its sample's dirt is planted on purpose, so the
 * migration ends completed_with_rejects (migrate's exit 3): that is the demo working, and it
 * exits 0 — a fresh user must not read their first run as a failure.
 */
it('the demo exits 0 when the migration accounted for every row, its planted rejects included', () => {
  const run = cli(dir, ['demo', '--contacts', '300', '--dir', 'out']);
  expect(run.out).toContain('completed_with_rejects');
  expect(run.code, run.out).toBe(0);
}, 120_000);
