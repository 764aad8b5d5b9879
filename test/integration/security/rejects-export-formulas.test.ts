import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { cli } from './cli-helper.js';
import { tinyProject } from './tiny-project.js';

const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3+4', '@SUM(1)', '\t=1'];

describe('rejects exported to CSV', () => {
  it('escapes cells a spreadsheet would run as formulas; --raw keeps them as they are', async () => {
    const { dir, file } = await tinyProject({ rows: HOSTILE.length, bad: HOSTILE.length, badEmails: HOSTILE });
    const run = cli(dir, ['migrate', '-p', file]);
    expect(run.code, run.out).toBe(3);
    const read = (name: string, raw: boolean) => {
      const path = join(dir, name);
      const r = cli(dir, ['rejects', '-p', file, '--export', path, ...(raw ? ['--raw'] : [])]);
      expect(r.code, r.out).toBe(0);
      return (parse(readFileSync(path), { columns: true }) as Record<string, string>[]).map((row) => row.rawValue);
    };
    expect(read('safe.csv', false).sort()).toEqual(HOSTILE.map((v) => `'${v}`).sort());
    expect(read('raw.csv', true).sort()).toEqual([...HOSTILE].sort());
  });
});
