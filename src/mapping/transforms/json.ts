import { z } from 'zod';
import type { Value } from '../../core/types.js';
import { locate, parsePath } from './json-scan.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { textOf } from './value-text.js';

const jsonPathParams = z.union([
  z.string().transform((path) => ({ path, on_missing: 'null' as const })),
  z.strictObject({ path: z.string(), on_missing: z.enum(['null', 'reject']).default('null') }),
]);

type JsonPathParams = z.output<typeof jsonPathParams>;

/** A located JSON slice as a value: strings unescaped, numbers as their exact text, objects and arrays as JSON text. */
function sliceValue(slice: string): Value {
  switch (slice[0]) {
    case '"':
      return JSON.parse(slice) as string;
    case 't':
      return true;
    case 'f':
      return false;
    case 'n':
      return null;
    default:
      return slice;
  }
}

/**
 * Extracts one value from JSON text by `$.a.b[0]`. Exact: a number comes back as its source
 * text (a decimal string), never through a JS number. A missing path is NULL, or rejects with
 * `on_missing: reject`; text that is not JSON rejects with `invalid_json`.
 */
export const jsonPath: TransformDefinition<JsonPathParams> = {
  name: 'json_path',
  usage: 'json_path: "$.address.city"   (or json_path: { path: "$.tags[0]", on_missing?: null | reject })',
  params: jsonPathParams,
  compile: (params) => {
    const path = parsePath(params.path);
    const rejectMissing = params.on_missing === 'reject';
    return single((value) => {
      const text = textOf('json_path', value);
      try {
        JSON.parse(text);
      } catch {
        throw new TransformError('json_path', 'invalid_json', value);
      }
      const span = locate(text, path);
      if (span) return sliceValue(text.slice(span[0], span[1]));
      if (rejectMissing) throw new TransformError('json_path', 'missing_path', value, params.path);
      return null;
    });
  },
};

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

const toJsonParams = z
  .strictObject({
    /** `number`: a string that is plain decimal text (`"12.50"`) is written as a JSON number, digits kept. */
    decimal_strings: z.enum(['string', 'number']).default('string'),
  })
  .default({ decimal_strings: 'string' });

/** A value as JSON text: strings quoted, numbers and bigints as exact digits, a multiselect as an array. */
export const toJson: TransformDefinition<z.output<typeof toJsonParams>> = {
  name: 'to_json',
  usage: 'to_json: { decimal_strings?: string | number }',
  params: toJsonParams,
  compile: ({ decimal_strings }) => {
    const decimalsAsNumbers = decimal_strings === 'number';
    return single((value) => {
      if (typeof value === 'string') return decimalsAsNumbers && DECIMAL.test(value) ? value : JSON.stringify(value);
      if (Array.isArray(value)) return JSON.stringify(value);
      return textOf('to_json', value);
    });
  },
};
