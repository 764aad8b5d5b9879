import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { compilePipeline } from '../../../src/mapping/transforms/compile-pipeline.js';
import { fastPhoneParts } from '../../../src/mapping/transforms/phone-e164.js';
import { Rng } from '../../../src/sample/prng.js';
import { run } from './helpers.js';

/** What the phone transform computed before the fast path: libphonenumber-js for every value. */
function reference(text: string, country: CountryCode | undefined) {
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed ? { number: parsed.number as string, ext: parsed.ext as string | undefined, valid: parsed.isValid() } : undefined;
}

const COUNTRIES: (CountryCode | undefined)[] = [
  'US',
  'CA',
  'BS',
  'VI',
  'PR',
  'GB',
  'DE',
  'FR',
  'AU',
  'JP',
  'RU',
  'KZ',
  'BR',
  'AR',
  'MX',
  'IN',
  'IT',
  'CH',
  'CO',
  undefined,
];
const CODES = [
  '1',
  '7',
  '20',
  '27',
  '30',
  '31',
  '33',
  '34',
  '39',
  '41',
  '44',
  '49',
  '52',
  '54',
  '55',
  '57',
  '61',
  '81',
  '86',
  '91',
  '98',
  '212',
  '262',
  '290',
  '351',
  '358',
  '376',
  '380',
  '590',
  '599',
  '672',
  '800',
  '808',
  '870',
  '878',
  '881',
  '882',
  '883',
  '888',
  '979',
  '0',
  '28',
  '999',
];
const SEPARATORS = ['', ' ', '-', '.', ' - ', '  ', '(', ')', ') '];
const EXTENSIONS = [
  ' ext. ',
  ' ext ',
  ' ext.',
  ' ext',
  ' x',
  ' x ',
  ' X',
  ' EXT. ',
  '  ext. ',
  ' #',
  ' extension ',
  ', ext. ',
  ';ext=',
  ' -ext ',
  'x',
];
const GARBAGE = '0123456789+-.() #xX,;:/*abcext\t\u00a0\uff10\uff11\u0661+';

function digits(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 10);
  return s;
}
function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}
/** Digits with random separators between groups. */
function grouped(r: () => number, text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const n = 1 + Math.floor(r() * 4);
    out += (i > 0 && r() < 0.6 ? pick(r, SEPARATORS) : '') + text.slice(i, i + n);
    i += n;
  }
  return out;
}
function nanp(r: () => number): string {
  const a = r() < 0.8 ? String(200 + Math.floor(r() * 800)) : digits(r, 3);
  const e = digits(r, 3);
  const l = digits(r, 4);
  switch (Math.floor(r() * 8)) {
    case 0:
      return `(${a}) ${e}-${l}`;
    case 1:
      return `${a}-${e}-${l}`;
    case 2:
      return `${a}.${e}.${l}`;
    case 3:
      return `${a}${e}${l}`;
    case 4:
      return `+1 ${a} ${e} ${l}`;
    case 5:
      return `1 ${a} ${e} ${l}`;
    case 6:
      return `+1 (${a}) ${e}-${l}`;
    default:
      return grouped(r, `${r() < 0.5 ? '' : '1'}${a}${e}${l}`);
  }
}
function sample(r: () => number): string {
  const kind = r();
  let text: string;
  if (kind < 0.4) text = nanp(r);
  else if (kind < 0.7) text = `${r() < 0.9 ? '+' : ''}${grouped(r, pick(r, CODES) + digits(r, Math.floor(r() * 16)))}`;
  else if (kind < 0.85) text = grouped(r, digits(r, 1 + Math.floor(r() * 18)));
  else {
    text = '';
    const n = Math.floor(r() * 20);
    for (let i = 0; i < n; i++) text += pick(r, [...GARBAGE]);
  }
  if (r() < 0.25) text += pick(r, EXTENSIONS) + digits(r, 1 + Math.floor(r() * 12));
  if (r() < 0.05) text = pick(r, [' ', '(', '-', 'tel: ', '+', '00']) + text;
  return text;
}

describe('phone fast path (exactly libphonenumber-js)', () => {
  it('gives the same number, extension and validity as libphonenumber-js on many varied strings', () => {
    const rng = new Rng(20261124);
    const r = () => rng.next();
    let fast = 0;
    let validFast = 0;
    const total = 60_000;
    for (let i = 0; i < total; i++) {
      const text = sample(r);
      const country = pick(r, COUNTRIES);
      const got = fastPhoneParts(text, country);
      if (!got) continue;
      fast++;
      if (got.valid) validFast++;
      const want = reference(text, country);
      if (!want || want.number !== got.number || want.ext !== got.ext || want.valid !== got.valid) {
        expect({ text, country, got }).toEqual({ text, country, got: want });
      }
    }
    // The comparison means something only if the fast path took a good share of both outcomes.
    expect(fast).toBeGreaterThan(total * 0.3);
    expect(validFast).toBeGreaterThan(fast * 0.1);
    expect(fast - validFast).toBeGreaterThan(fast * 0.2);
  });

  it('agrees on the tricky cases', () => {
    const cases: [string, CountryCode | undefined][] = [
      ['(415) 555-2671', 'US'],
      ['(415) 555-2671 ext. 123', 'US'],
      ['415-555-2671 x123', 'US'],
      ['415-555-2671 x 123', 'US'],
      ['(613) 555-0100', 'US'], // Canada, found by the NANP country search
      ['(242) 357-1234', 'US'], // Bahamas: leading digits 242
      ['+1 242 357 1234', undefined],
      ['(340) 642-1234', 'VI'],
      ['642-1234', 'VI'], // VI's national prefix rule prepends 340: libphonenumber-js only
      ['(800) 555-0100', 'CA'], // toll free: US and CA share the pattern, US (first) wins
      ['(555) 555-0100', 'US'], // invalid: no NANP country takes it
      ['(911) 549-2714', 'CA'], // invalid, and the default country stays CA
      ['1 415 555 2671', 'US'], // national prefix
      ['1-415-555-2671', 'US'],
      ['011 44 20 7946 0958', 'US'], // IDD prefix
      ['+44 20 7946 0958', 'US'],
      ['+44 (0)20 7946 0958', 'US'], // national prefix after the calling code
      ['020 7946 0958', 'GB'],
      ['030 901820', 'DE'],
      ['49 30 901820', 'DE'], // calling code without +
      ['+61 71 1533 0846', 'US'],
      ['+33 54 2304 8924', 'US'],
      ['+81 41 9815 6019', 'US'],
      ['+7 701 123 4567', 'RU'], // KZ shares +7
      ['+800 1234 5678', undefined], // non-geographic
      ['+0 123 456', 'US'],
      ['+999 123 456', 'US'],
      ['123', 'US'],
      ['12', 'US'],
      ['5', 'US'],
      ['999-CALL-NOW', 'US'],
      ['(415) 555-2671 EXT. 12', 'US'],
      ['(415) 555-2671 ext. 1234567890', 'US'],
      ['(415) 555-2671;ext=12', 'US'],
      ['tel:+1-415-555-2671', 'US'],
      ['+1 415 555 2671 #12#', 'US'],
      ['\uff14\uff11\uff15 555 2671', 'US'],
      ['4155552671', undefined],
      ['1234567890123456789', 'US'],
    ];
    for (const [text, country] of cases) {
      const got = fastPhoneParts(text, country);
      if (got) expect({ text, got }).toEqual({ text, got: reference(text, country) });
    }
    // The shapes of the sample CRM take the fast path …
    for (const text of ['(415) 555-2671', '415.555.2671', '4155552671', '+1 415 555 2671', '+44 20 7946 0958', '(415) 555-2671 ext. 12'])
      expect(fastPhoneParts(text, 'US')).toBeDefined();
    // … and what needs libphonenumber-js's rarer rules does not.
    for (const text of [
      '1 415 555 2671',
      '011 44 20 7946 0958',
      '+44 (0)20 7946 0958',
      '+800 1234 5678',
      '999-CALL-NOW',
      'tel:+1-415-555-2671',
    ])
      expect(fastPhoneParts(text, 'US')).toBeUndefined();
    expect(fastPhoneParts('642-1234', 'VI')).toBeUndefined();
  });

  it('runs through the phone transform unchanged', () => {
    expect(run([{ phone: { country: 'US' } }], '(613) 555-0100')).toBe('+16135550100');
    expect(run([{ phone: { country: 'US' } }], ' +1 242 357 1234 ')).toBe('+12423571234');
    expect(run([{ phone: { country: 'VI' } }], '642-1234')).toBe('+13406421234');
    expect(run([{ phone: { country: 'US', on_invalid: 'keep' } }], '(555) 555-0100 ext. 4')).toBe('(555) 555-0100 ext. 4');
    expect(run([{ phone: { country: 'US', extension: 'drop' } }], '(415) 555-2671 ext. 123')).toBe('+14155552671');
  });

  it('remembers what libphonenumber-js made of a value exactly, also past the memo bound', () => {
    const fn = compilePipeline([{ phone: { on_invalid: 'null' } }], { defaultCountry: 'US' });
    const texts = ['n/a', '999-CALL-NOW', '1 415 555 2671', '011 44 20 7946 0958'];
    for (let i = 0; i < 12_000; i++) texts.push(`${i}-CALL-NOW`, `1 415 555 ${String(i).padStart(4, '0')}`);
    for (const round of [1, 2]) {
      for (const text of texts) {
        const want = reference(text, 'US');
        expect([round, text, fn(text)]).toEqual([round, text, want?.valid ? want.number : null]);
      }
    }
  });
});
