import { describe, expect, test } from 'vitest';
import { redact } from '../../../src/core/errors/redact.js';

/**
 * Redaction runs over rejected values, which are hostile input. The old regular expressions
 * backtracked quadratically (100 KB took 16 s); a linear scan takes milliseconds for megabytes.
 * No wall time is asserted: the timeout of each test is a bound the quadratic code could never
 * meet on these 5 MB inputs (hours), and a linear one meets on any machine.
 */
describe('redact on large hostile values', () => {
  const size = 5 * 1024 * 1024;
  const shapes: Record<string, string> = {
    'one long word': 'a'.repeat(size),
    'a scheme with no password end': `x://user:${'p'.repeat(size)}`,
    'repeated URL starts': 'a://b:'.repeat(size / 6),
    'repeated secret names': 'password'.repeat(size / 8),
    'repeated name=value pairs': 'token=a'.repeat(size / 7),
  };
  for (const [shape, text] of Object.entries(shapes)) {
    test(`${shape}: 5 MB`, { timeout: 10_000 }, () => {
      const out = redact(text);
      expect(out.length).toBeLessThanOrEqual(text.length + 3);
    });
  }

  test('still masks what it masked', () => {
    expect(redact(`value ${'x'.repeat(100_000)} then postgres://u:secret@h/db and api_key=abc&x=1`)).toBe(
      `value ${'x'.repeat(100_000)} then postgres://u:***@h/db and api_key=***&x=1`,
    );
  });
});
