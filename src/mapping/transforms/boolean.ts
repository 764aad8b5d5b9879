import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

const DEFAULT_TRUE = ['true', 't', 'yes', 'y', '1', 'on'];
const DEFAULT_FALSE = ['false', 'f', 'no', 'n', '0', 'off'];

const booleanParams = z
  .strictObject({
    /** Spellings of true / false, compared trimmed and case-insensitively. */
    true: z.array(z.string()).min(1).default(DEFAULT_TRUE),
    false: z.array(z.string()).min(1).default(DEFAULT_FALSE),
    /** A blank value: NULL (unknown), false (a checkbox left empty) or a reject. */
    blank: z.enum(['null', 'false', 'true', 'reject']).default('null'),
  })
  .default({ true: DEFAULT_TRUE, false: DEFAULT_FALSE, blank: 'null' });

type BooleanParams = z.output<typeof booleanParams>;

/**
 * Text, numbers or booleans to a boolean through declared spellings (default Y/N, yes/no, 1/0,
 * true/false, on/off, t/f). Anything else rejects with `invalid_boolean`: a `tinyint(1)` that
 * holds 4 is a data problem, not a `true`.
 */
export const boolean: TransformDefinition<BooleanParams> = {
  name: 'boolean',
  usage: 'boolean: { true?: [x, Y], false?: [N], blank?: null | false | true | reject }',
  params: booleanParams,
  compile: (params) => {
    const lookup = new Map<string, boolean>();
    for (const [spellings, meaning] of [
      [params.true, true],
      [params.false, false],
    ] as const) {
      for (const spelling of spellings) {
        const key = spelling.trim().toLowerCase();
        if (lookup.get(key) === !meaning) throw new CrmError('CRM_M5001', `"${spelling}" is listed as both true and false`);
        lookup.set(key, meaning);
      }
    }
    const blank = { null: null, false: false, true: true, reject: undefined }[params.blank];
    return single((value) => {
      if (typeof value === 'boolean') return value;
      const text = textOf('boolean', value);
      const meaning = lookup.get(text.trim().toLowerCase());
      if (meaning !== undefined) return meaning;
      if (blank !== undefined && isBlankText(text)) return blank;
      throw new TransformError('boolean', 'invalid_boolean', value);
    });
  },
  /** Boolean → the first spelling of each list (e.g. `Y`/`N` for `true: [Y], false: [N]`). */
  inverse: (params) => {
    const [yes, no] = [params.true[0], params.false[0]];
    return single((value) => {
      if (typeof value !== 'boolean') throw new TransformError('boolean', 'invalid_boolean', value);
      return value ? yes : no;
    });
  },
};
