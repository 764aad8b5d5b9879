import { z } from 'zod';
import { formatDate } from './civil-time.js';
import { type CompiledPattern, compilePattern } from './date-pattern.js';
import { readDateTime } from './pattern-match.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

const NON_ZERO = /[1-9]/;

const dateParams = z.union([
  z.string().transform((format) => ({ formats: [format], zero_date: 'null' as const, century_pivot: 1970 })),
  z
    .strictObject({
      /** Tried in order; two that read one text differently make it `ambiguous_date`. */
      formats: z.array(z.string().min(1)).min(1).optional(),
      /** `0000-00-00` (MySQL's zero date): NULL, or a reject for a NOT NULL target. */
      zero_date: z.enum(['null', 'reject']).default('null'),
      /** YY is read in [pivot, pivot + 99]. */
      century_pivot: z.number().int().default(1970),
    })
    .default({ zero_date: 'null', century_pivot: 1970 }),
]);

type DateParams = z.output<typeof dateParams>;

function patternsOf(params: DateParams): { patterns: CompiledPattern[]; declared: boolean } {
  const formats = params.formats ?? ['YYYY-MM-DD'];
  return { patterns: formats.map((format) => compilePattern(format, params.century_pivot)), declared: params.formats !== undefined };
}

/**
 * Text to a date `YYYY-MM-DD` by declared patterns (default ISO `YYYY-MM-DD`). Pure calendar
 * arithmetic, no `Date`: the result never depends on the process time zone. A pattern with a
 * time part is accepted only at midnight, since dropping a time of day would lose data.
 */
export const date: TransformDefinition<DateParams> = {
  name: 'date',
  usage: 'date: { formats?: ["MM/DD/YYYY"], zero_date?: null | reject, century_pivot?: 1970 }   (or date: "DD.MM.YYYY")',
  params: dateParams,
  compile: (params) => {
    const { patterns, declared } = patternsOf(params);
    return single((value) => {
      const text = textOf('date', value).trim();
      if (isBlankText(text)) return null;
      const f = readDateTime('date', value, text, patterns, declared, params.zero_date);
      if (f === null) return null;
      if (f.hour !== 0 || f.minute !== 0 || f.second !== 0 || NON_ZERO.test(f.fraction)) {
        throw new TransformError('date', 'time_discarded', value, 'the text has a time of day; map it to a timestamp');
      }
      return formatDate(f.year, f.month, f.day);
    });
  },
  /** `YYYY-MM-DD` → text in the first declared pattern. */
  inverse: (params) => {
    const [pattern] = patternsOf(params).patterns;
    const iso = compilePattern('YYYY-MM-DD');
    return single((value) => {
      const text = textOf('date', value);
      const f = readDateTime('date', value, text, [iso], true, 'reject');
      return f === null ? null : pattern.format(f);
    });
  },
};
