import validator from 'validator';
import { describe, expect, it } from 'vitest';
import { isEmailAddress } from '../../../src/mapping/transforms/email.js';
import { Rng } from '../../../src/sample/prng.js';

const PIECES = ['jo', 'smith', 'a', 'x1', '42', 'crm', 'example', 'com', 'de', 'io', 'xn--bcher-kva', 'xn--', 'ü', 'é', 'co', 'uk'];
const SEPARATORS = [
  '.',
  '.',
  '.',
  '-',
  '_',
  '+',
  '..',
  '',
  '@',
  '@@',
  ' ',
  ',',
  '"',
  '!',
  '#',
  '%',
  "'",
  '/',
  '=',
  '?',
  '^',
  '`',
  '{',
  '|',
  '}',
  '~',
  '&',
  '*',
  '$',
  '\\',
  '<',
  '>',
  '[',
  ']',
  ':',
  ';',
  '\t',
  '\u00a0',
  '\uff01',
];

function part(rng: Rng, max: number): string {
  let out = '';
  const n = rng.int(max + 1);
  for (let i = 0; i < n; i++) {
    if (i > 0 && rng.chance(0.5)) out += rng.pick(SEPARATORS);
    out += rng.chance(0.7) ? rng.pick(PIECES) : String(rng.int(1000));
  }
  return out;
}
function sample(rng: Rng): string {
  const kind = rng.next();
  if (kind < 0.4) {
    // Well-formed, each with one small flaw now and then.
    const word = () => rng.pick(['jo', 'smith', 'a', 'x1', '42', 'crm', 'mail', 'info', "o'brien"]);
    const user = Array.from({ length: 1 + rng.int(3) }, word).join(rng.pick(['.', '.', '-', '_', '+', '']));
    const domain = Array.from({ length: 1 + rng.int(3) }, word).join(rng.pick(['.', '-']));
    const text = `${user}@${domain}.${rng.pick(['com', 'de', 'io', 'co', 'uk', 'xn--p1ai', 'c', '1'])}`;
    if (!rng.chance(0.3)) return text;
    const at = rng.int(text.length + 1);
    return text.slice(0, at) + rng.pick(SEPARATORS) + text.slice(at + rng.int(2));
  }
  if (kind < 0.7) {
    // Mostly well-formed, with a flaw now and then.
    const user = part(rng, 3) || 'a';
    const labels = Array.from({ length: 1 + rng.int(4) }, () => part(rng, 2));
    if (rng.chance(0.1)) labels.push('-bad');
    if (rng.chance(0.05)) labels.push('x'.repeat(60 + rng.int(8)));
    if (rng.chance(0.05)) labels.push(String(rng.int(99)));
    let text = `${user}@${labels.join(rng.chance(0.9) ? '.' : '-')}`;
    if (rng.chance(0.03)) text = `${'u'.repeat(60 + rng.int(10))}${text}`;
    if (rng.chance(0.02)) text += `.${'d'.repeat(250)}`;
    return text;
  }
  return part(rng, 8);
}

describe('isEmailAddress (validator.isEmail, faster for plain addresses)', () => {
  it('gives the same answer as validator.isEmail on many varied strings', () => {
    const rng = new Rng(42);
    let plainValid = 0;
    let total = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = sample(rng).toLowerCase();
      const want = validator.isEmail(text);
      if (isEmailAddress(text) !== want) expect({ text, valid: isEmailAddress(text) }).toEqual({ text, valid: want });
      if (want) plainValid++;
      total++;
    }
    expect(plainValid).toBeGreaterThan(total * 0.1);
    expect(plainValid).toBeLessThan(total * 0.9);
  });

  it('agrees on the edge cases of length, dots, hyphens and top-level domains', () => {
    const cases = [
      'jo.smith@example.com',
      'jo..smith@example.com',
      '.jo@example.com',
      'jo.@example.com',
      'jo@example',
      'jo@example.c',
      'jo@example.123',
      'jo@123.example.com',
      'jo@-example.com',
      'jo@example-.com',
      'jo@ex--ample.com',
      'jo@example..com',
      'jo@.example.com',
      'jo@example.com.',
      'jo@example.xn--p1ai',
      'jo@example.xn--',
      'jo@example.xn-a',
      'jo@ex_ample.com',
      'j_o@example.com',
      "o'brien+crm@example.com",
      `${'u'.repeat(64)}@example.com`,
      `${'u'.repeat(65)}@example.com`,
      `jo@${'d'.repeat(63)}.com`,
      `jo@${'d'.repeat(64)}.com`,
      `jo@${'d.'.repeat(124)}com`,
      `jo@${'d.'.repeat(125)}com`,
      '',
      '@',
      'jo@',
      '@example.com',
      'jo@@example.com',
      'jo@ex@ample.com',
      '"jo smith"@example.com',
      'josé@exämple.de',
    ];
    for (const text of cases) expect({ text, valid: isEmailAddress(text) }).toEqual({ text, valid: validator.isEmail(text) });
  });
});
