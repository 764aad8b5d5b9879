import { z } from 'zod';
import { noParams } from './params.js';
import { single, type TransformDefinition } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

export const trim: TransformDefinition<undefined | Record<string, never>> = {
  name: 'trim',
  usage: 'trim',
  params: noParams,
  compile: () => single((value) => textOf('trim', value).trim()),
};

const CASES = ['lower', 'upper', 'title'] as const;
type CaseName = (typeof CASES)[number];
// A word starts after white space, a hyphen, an apostrophe, a slash or an opening bracket.
const WORD_START = /(^|[\s\-'’/(])(\p{L})/gu;

/** Locale-independent on purpose: the same text gives the same result on every machine. */
const CASE_FNS: Record<CaseName, (text: string) => string> = {
  lower: (text) => text.toLowerCase(),
  upper: (text) => text.toUpperCase(),
  title: (text) => text.toLowerCase().replace(WORD_START, (_m, before: string, letter: string) => before + letter.toUpperCase()),
};

export const changeCase: TransformDefinition<CaseName> = {
  name: 'case',
  usage: 'case: lower | upper | title   (or case: { to: lower })',
  params: z.union([z.enum(CASES), z.strictObject({ to: z.enum(CASES) }).transform((p) => p.to)]),
  compile: (to) => {
    const fn = CASE_FNS[to];
    return single((value) => fn(textOf('case', value)));
  },
};

export const blankToNull: TransformDefinition<undefined | Record<string, never>> = {
  name: 'blank_to_null',
  usage: 'blank_to_null',
  params: noParams,
  compile: () => single((value) => (typeof value === 'string' && isBlankText(value) ? null : value)),
};

const truncateParams = z.union([
  z
    .number()
    .int()
    .positive()
    .transform((max) => ({ max })),
  z.strictObject({ max: z.number().int().positive() }),
]);

/**
 * The only transform that shortens text. It counts code points, as PostgreSQL and MySQL count
 * characters, so a surrogate pair is never cut in half; each cut is reported through
 * `ctx.notice` with the original length.
 */
export const truncate: TransformDefinition<{ max: number }> = {
  name: 'truncate',
  usage: 'truncate: { max: 255 }   (or truncate: 255)',
  params: truncateParams,
  compile: ({ max }, ctx) => {
    const notice = ctx.notice;
    return single((value) => {
      const text = textOf('truncate', value);
      // UTF-16 length ≥ code point count, so this fast path never skips a needed cut.
      if (text.length <= max) return text;
      let units = 0;
      let points = 0;
      while (units < text.length && points < max) {
        units += (text.codePointAt(units) ?? 0) > 0xffff ? 2 : 1;
        points++;
      }
      if (units === text.length) return text;
      notice?.({
        transform: 'truncate',
        reason: 'truncated',
        value: text,
        detail: `cut to ${max} characters from ${[...text].length}`,
      });
      return text.slice(0, units);
    });
  },
};

const regexParams = z
  .strictObject({ pattern: z.string().min(1), replacement: z.string(), flags: z.string().default('g') })
  .transform((p, ctx) => {
    try {
      return { regex: new RegExp(p.pattern, p.flags), replacement: p.replacement };
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}`, path: ['pattern'] });
      return z.NEVER;
    }
  });

export const regexReplace: TransformDefinition<{ regex: RegExp; replacement: string }> = {
  name: 'regex_replace',
  usage: 'regex_replace: { pattern: "\\\\s+", replacement: " ", flags?: "g" }',
  params: regexParams,
  compile: ({ regex, replacement }) => single((value) => textOf('regex_replace', value).replace(regex, replacement)),
};
