import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { expectReject, run } from './helpers.js';

const two = { inputs: ['first_name', 'last_name'] };

describe('concat', () => {
  it('joins parts with the separator, skipping NULL and blank parts', () => {
    const fn = compilePipeline([{ concat: { separator: ' ' } }], {}, two);
    expect(fn(['Ada', 'Lovelace'])).toBe('Ada Lovelace');
    expect(fn([null, 'Lovelace'])).toBe('Lovelace');
    expect(fn(['  ', 'Lovelace'])).toBe('Lovelace');
    expect(fn([null, ''])).toBeNull();
    expect(fn([42, 7n])).toBe('42 7');
  });
  it('rejects parts that are not text', () => {
    expect(() => compilePipeline(['concat'], {}, two)([new Uint8Array(1), 'x'])).toThrow(/not_text/);
  });
});

describe('template', () => {
  it('fills positions and from-column names; NULL renders as nothing', () => {
    expect(compilePipeline([{ template: '{0} {1}' }], {}, two)(['Ada', 'Lovelace'])).toBe('Ada Lovelace');
    expect(compilePipeline([{ template: { format: '{last_name}, {first_name}' } }], {}, two)(['Ada', 'Lovelace'])).toBe('Lovelace, Ada');
    expect(compilePipeline([{ template: '{{{0}}}' }], {}, two)(['a', 'b'])).toBe('{a}');
    expect(compilePipeline([{ template: '{0}-{1}' }], {}, two)([null, 'b'])).toBe('-b');
    expect(compilePipeline([{ template: '{0}-{1}' }], {}, two)([null, null])).toBeNull();
  });
  it('rejects at compile time a placeholder that names no from column', () => {
    expect(() => compilePipeline([{ template: '{middle_name}' }], {}, two)).toThrow(/step 1 \(template\).*\{middle_name\}/);
    expect(() => compilePipeline([{ template: '{2}' }], {}, two)).toThrow(/CRM_M5001|names no from column/);
  });
});

describe('default', () => {
  it('replaces NULL and blank values, leaves others', () => {
    expect(run([{ default: 'n/a' }], null)).toBe('n/a');
    expect(run([{ default: { value: 0 } }], '  ')).toBe(0);
    expect(run([{ default: 'n/a' }], 'x')).toBe('x');
    expect(run([{ default: false }], false)).toBe(false);
  });
  it('needs a value', () => {
    expect(() => run(['default'], null)).toThrow(/step 1 \(default\)/);
  });
});

describe('coalesce', () => {
  it('takes the first non-blank input', () => {
    const fn = compilePipeline(['coalesce'], {}, { inputs: ['email1', 'email2', 'email3'] });
    expect(fn([null, ' ', 'b@x.io'])).toBe('b@x.io');
    expect(fn(['a@x.io', 'b@x.io', null])).toBe('a@x.io');
    expect(fn([null, '', null])).toBeNull();
  });
  it('feeds later steps', () => {
    const fn = compilePipeline(['coalesce', 'email'], {}, { inputs: ['e1', 'e2'] });
    expect(fn([null, ' B@X.IO '])).toBe('b@x.io');
    expect(() => fn(['nope', 'b@x.io'])).toThrow(/invalid_email/);
    expectReject(['email'], 'nope', 'invalid_email');
  });
});
