import type { Value } from '../../core/types.js';
import { TransformError, type TransformInput } from './transform.js';

/**
 * The text of a scalar value, for transforms that work on text. Numbers and bigints give their
 * exact decimal digits, booleans `true`/`false`; binary and multiselect values are not text and
 * reject with `not_text` rather than being stringified into something nobody meant.
 */
export function textOf(transform: string, value: TransformInput): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TransformError(transform, 'not_text', value, 'not a finite number');
      return String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      throw new TransformError(transform, 'not_text', value, 'expected a scalar value');
  }
}

const NON_BLANK = /\S/;

/** NULL, or a string that is empty or only white space. */
export function isBlank(value: Value): boolean {
  return value === null || (typeof value === 'string' && !NON_BLANK.test(value));
}

/** Blank text (after the same test as `isBlank`) for parsers that map `""` to NULL. */
export function isBlankText(text: string): boolean {
  return !NON_BLANK.test(text);
}
