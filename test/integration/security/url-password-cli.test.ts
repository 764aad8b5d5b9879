import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './cli-helper.js';

const dir = mkdtempSync(join(tmpdir(), 'crmbridge-urlpw-'));

describe('a password with URL delimiters in an ${env:…} reference', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const scheme of ['postgres', 'mysql']) {
    it(`${scheme}: the connection goes to the written host, the password stays secret`, () => {
      const r = cli(dir, ['analyze', `${scheme}://admin:\${env:CRM_TEST_PW}@127.0.0.1:1/crm`], { CRM_TEST_PW: 'x@canary/1#?' });
      expect(r.code, r.out).toBe(2);
      expect(r.out).toContain('[CRM_N2001]');
      expect(r.out).toContain('127.0.0.1');
      expect(r.out).not.toContain('canary');
    });
  }
});
