import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RUN, tempStore, ZERO_LEDGER } from '../state/temp-folder.js';

describe('a reject of a huge value', () => {
  it('stores the value truncated, with its length and hash, and the record likewise', { timeout: 20_000 }, async () => {
    const { store } = await tempStore();
    const run = await store.createRun(RUN);
    const huge = `${'é'.repeat(3)}${'x'.repeat(5 * 1024 * 1024)}`;
    const sha = createHash('sha256').update(huge).digest('hex');
    await store.commitBatch(run.id, {
      object: 'notes',
      pass: 1,
      checkpoint: { object: 'notes', pass: 1, position: '["1"]', done: false, ledger: { ...ZERO_LEDGER, read: 1, rejected: 1 } },
      rejects: [
        {
          object: 'notes',
          sourceKey: '["1"]',
          field: 'body',
          rawValue: huge,
          reason: 'value_too_long',
          code: 'CRM_R4005',
          message: `value ${huge} too long`,
          record: JSON.stringify({ id: '1', body: huge, title: 'short' }),
        },
      ],
    });
    const [stored] = await store.listRejects(run.id);
    expect(stored.rawValue?.length).toBeLessThan(2000);
    expect(stored.rawValue).toContain(`[${huge.length} characters, sha256 ${sha}]`);
    expect(stored.rawValue?.startsWith('éééxxx')).toBe(true);
    expect(stored.message.length).toBeLessThan(2000);
    const record = JSON.parse(stored.record ?? '{}') as Record<string, string>;
    expect(record.title).toBe('short');
    expect(record.id).toBe('1');
    expect(record.body).toContain(`[${huge.length} characters, sha256 ${sha}]`);
  });
});
