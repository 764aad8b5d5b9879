import { describe, expect, it } from 'vitest';
import { compileTargetRules } from '../../../src/engine/migrate/target-rules.js';
import { table, textColumn } from '../../helpers/schema-builders.js';

describe('target rules: text length', () => {
  // varchar(3): the databases count characters (code points), not UTF-16 units or bytes.
  const check = compileTargetRules(table('t', [textColumn('name', true, 3)], { primaryKey: [] }), ['name']);
  const verdict = (text: string) => check([text]);

  it('accepts text of up to the length in characters, whatever its UTF-16 length', () => {
    for (const text of ['abc', 'äöü', '😀😀😀', 'a😀b', '']) expect(verdict(text), text).toBeUndefined();
  });

  it('rejects text one character too long as value_too_long, counting a surrogate pair as one', () => {
    for (const [text, length] of [
      ['abcd', 4],
      ['😀😀😀😀', 4],
      ['ab😀cd', 5],
      // A lone surrogate is one (broken) character; it never pairs with the next unit.
      ['\ud83dabc', 4],
    ] as const) {
      const violation = verdict(text);
      expect(violation?.reason, text).toBe('value_too_long');
      expect(violation?.message, text).toBe(`${length} characters do not fit in 3 (never truncated silently)`);
      expect(violation?.raw, text).toBe(text);
    }
  });
});
