import { describe, expect, it } from 'vitest';
import type { TransformNotice } from '../../../src/mapping/transforms/transform.js';
import { expectReject, run } from './helpers.js';

describe('trim', () => {
  it('trims white space, including non-breaking and line breaks', () => {
    expect(run(['trim'], '  Acme \u00a0\n')).toBe('Acme');
    expect(run(['trim'], 'a b')).toBe('a b');
    expect(run(['trim'], '   ')).toBe(''); // blank stays '' (blank_to_null decides NULL)
  });
  it('gives numbers their exact text, and rejects binary', () => {
    expect(run(['trim'], 12345678901234567890n)).toBe('12345678901234567890');
    expectReject(['trim'], new Uint8Array([1, 2]), 'not_text');
    expectReject(['trim'], ['a', 'b'], 'not_text');
  });
});

describe('case', () => {
  it('lower, upper and title', () => {
    expect(run([{ case: 'lower' }], 'ÉCOLE Straße')).toBe('école straße');
    expect(run([{ case: { to: 'upper' } }], 'acme inc.')).toBe('ACME INC.');
    expect(run([{ case: 'title' }], "mary-jane O'NEIL of the hills")).toBe("Mary-Jane O'Neil Of The Hills");
    expect(run([{ case: 'title' }], 'émile zola')).toBe('Émile Zola');
  });
});

describe('blank_to_null', () => {
  it('turns empty and white-space-only text into NULL and keeps everything else', () => {
    expect(run(['blank_to_null'], '')).toBeNull();
    expect(run(['blank_to_null'], ' \t\n ')).toBeNull();
    expect(run(['blank_to_null'], ' x ')).toBe(' x ');
    expect(run(['blank_to_null'], 0)).toBe(0);
    expect(run(['blank_to_null'], false)).toBe(false);
  });
});

describe('split and join', () => {
  it('picks a part by index, from the end with a negative index', () => {
    expect(run([{ split: { separator: ',', index: 0 } }], 'Smith, John')).toBe('Smith');
    expect(run([{ split: { separator: ',', index: -1 } }], 'Smith, John')).toBe('John');
    expect(run([{ split: { separator: ',', index: 1, trim: false } }], 'Smith, John')).toBe(' John');
  });
  it('gives NULL for a missing part', () => {
    expect(run([{ split: { separator: ',', index: 3 } }], 'a,b')).toBeNull();
  });
  it('without an index gives the non-empty parts, and join puts them back', () => {
    expect(run([{ split: { separator: '|' } }], 'a| b ||c')).toEqual(['a', 'b', 'c']);
    expect(run([{ split: { separator: '|' } }, { join: { separator: ' / ' } }], 'a| b ||c')).toBe('a / b / c');
    expect(run(['join'], 'solo')).toBe('solo');
  });
  it('requires a separator', () => {
    expect(() => run([{ split: { index: 0 } }], 'a')).toThrow(/separator/);
  });
});

describe('truncate', () => {
  it('cuts to max characters, counting code points, and reports the cut', () => {
    const notices: TransformNotice[] = [];
    const ctx = { notice: (n: TransformNotice) => notices.push(n) };
    expect(run([{ truncate: { max: 5 } }], 'abcdefgh', ctx)).toBe('abcde');
    expect(run([{ truncate: 3 }], '😀😀😀😀', ctx)).toBe('😀😀😀');
    expect(notices.map((n) => n.detail)).toEqual(['cut to 5 characters from 8', 'cut to 3 characters from 4']);
  });
  it('leaves text that fits alone (no notice), surrogate pairs included', () => {
    const notices: TransformNotice[] = [];
    expect(run([{ truncate: 4 }], '😀😀😀😀', { notice: (n) => notices.push(n) })).toBe('😀😀😀😀');
    expect(run([{ truncate: 4 }], 'abc')).toBe('abc');
    expect(notices).toEqual([]);
  });
  it('needs a positive max', () => {
    expect(() => run(['truncate'], 'x')).toThrow(/step 1 \(truncate\)/);
  });
});

describe('regex_replace', () => {
  it('replaces every match by default, with groups', () => {
    expect(run([{ regex_replace: { pattern: '\\s+', replacement: ' ' } }], 'a   b \t c')).toBe('a b c');
    expect(run([{ regex_replace: { pattern: '^(\\w+) (\\w+)$', replacement: '$2 $1' } }], 'John Smith')).toBe('Smith John');
    expect(run([{ regex_replace: { pattern: 'a', replacement: 'b', flags: '' } }], 'aaa')).toBe('baa');
  });
  it('can produce the empty string (which is not NULL)', () => {
    expect(run([{ regex_replace: { pattern: '.*', replacement: '' } }], 'xyz')).toBe('');
  });
});
