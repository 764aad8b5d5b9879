import { describe, expect, it } from 'vitest';
import { expectReject, run } from './helpers.js';

const doc = JSON.stringify({
  a: { b: [{ c: 'first' }, 2] },
  'odd key': { 'x.y': true },
  esc: 'line\nbreak "quoted"',
  empty: { list: [], obj: {} },
  none: null,
});
const big = '{"amount": 12345678901234567890.123456789012345678, "id": 9007199254740993, "list": [1.10, {"k": [] }]}';

describe('json_path', () => {
  it('extracts by a simple path', () => {
    expect(run([{ json_path: '$.a.b[0].c' }], doc)).toBe('first');
    expect(run([{ json_path: { path: '$.a.b[1]' } }], doc)).toBe('2');
    expect(run([{ json_path: '$[\'odd key\']["x.y"]' }], doc)).toBe(true);
    expect(run([{ json_path: '$.esc' }], doc)).toBe('line\nbreak "quoted"');
    expect(run([{ json_path: '$.none' }], doc)).toBeNull();
  });
  it('keeps numbers as their exact source text', () => {
    expect(run([{ json_path: '$.amount' }], big)).toBe('12345678901234567890.123456789012345678');
    expect(run([{ json_path: '$.id' }], big)).toBe('9007199254740993');
    expect(run([{ json_path: '$.list[0]' }], big)).toBe('1.10');
  });
  it('gives objects and arrays as JSON text, [] and {} kept apart', () => {
    expect(run([{ json_path: '$.empty.list' }], doc)).toBe('[]');
    expect(run([{ json_path: '$.empty.obj' }], doc)).toBe('{}');
    expect(run([{ json_path: '$.list[1]' }], big)).toBe('{"k": [] }');
    expect(run([{ json_path: '$' }], '  [1, 2]  ')).toBe('[1, 2]');
  });
  it('gives NULL for a missing path, or rejects when asked', () => {
    expect(run([{ json_path: '$.a.zzz' }], doc)).toBeNull();
    expect(run([{ json_path: '$.a.b[5]' }], doc)).toBeNull();
    expect(run([{ json_path: '$.a[0]' }], doc)).toBeNull();
    expectReject([{ json_path: { path: '$.a.zzz', on_missing: 'reject' } }], doc, 'missing_path');
  });
  it('rejects text that is not JSON', () => {
    expectReject([{ json_path: '$.a' }], '{"a": 1', 'invalid_json');
    expectReject([{ json_path: '$.a' }], "{'a': 1}", 'invalid_json');
  });
  it('rejects a malformed path at compile time', () => {
    expect(() => run([{ json_path: 'a.b' }], '{}')).toThrow(/step 1 \(json_path\).*must start with \$/);
    expect(() => run([{ json_path: '$.a[x]' }], '{}')).toThrow(/cannot read/);
  });
});

describe('to_json', () => {
  it('writes values as JSON text', () => {
    expect(run(['to_json'], 'say "hi"')).toBe('"say \\"hi\\""');
    expect(run(['to_json'], 12.5)).toBe('12.5');
    expect(run(['to_json'], 9007199254740993n)).toBe('9007199254740993');
    expect(run(['to_json'], false)).toBe('false');
    expect(run(['to_json'], ['a', 'b'])).toBe('["a","b"]');
    expect(run(['to_json'], [])).toBe('[]');
    expect(run(['to_json'], null)).toBeNull();
  });
  it('writes decimal strings as exact JSON numbers when asked', () => {
    const asNumber = [{ to_json: { decimal_strings: 'number' } }];
    expect(run(asNumber, '12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
    expect(run(asNumber, '007')).toBe('"007"');
    expect(run(['to_json'], '12.50')).toBe('"12.50"');
  });
  it('rejects binary', () => {
    expectReject(['to_json'], new Uint8Array([0]), 'not_text');
  });
});
