import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogMarkdown } from '../../src/core/errors/error-docs.js';
import { CrmError, ERROR_CODES, redact, registerSecret } from '../../src/core/errors/index.js';

describe('error catalog', () => {
  it('docs/errors.md is the generated catalog (run `npm run docs:errors` after changing codes.ts)', () => {
    expect(readFileSync(resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8')).toBe(errorCatalogMarkdown());
  });

  it('every code has a title and a fix that says what to do', () => {
    for (const [code, e] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^CRM_[CNSRMEX]\d{4}$/);
      expect(e.title.length).toBeGreaterThan(5);
      expect(e.fix).toMatch(/\.$/);
    }
  });

  it('formats one line with code, location and fix, and masks secrets', () => {
    registerSecret('tok-3f9e7a');
    const err = new CrmError('CRM_N2002', 'login refused for postgres://bob:pa55word@db/crm with token tok-3f9e7a', {
      location: { connector: 'postgres', table: 'contacts', file: 'crmbridge.yaml', line: 3 },
    });
    const line = err.format();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('[CRM_N2002]');
    expect(line).toContain('crmbridge.yaml:3');
    expect(line).not.toContain('pa55word');
    expect(line).not.toContain('tok-3f9e7a');
    expect(redact('https://x.io/?api_key=abc123&q=1')).toBe('https://x.io/?api_key=***&q=1');
    expect(redact('db_password=s3cr3t host=x')).toBe('db_password=*** host=x');
  });
});
