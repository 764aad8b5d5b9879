import validator from 'validator';
import { z } from 'zod';
import { onInvalid } from './params.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

const emailParams = z.strictObject({ on_invalid: onInvalid }).default({ on_invalid: 'reject' });

/**
 * Trims, lower-cases and validates an address (validator's `isEmail`). Blank is NULL; an invalid
 * address rejects with `invalid_email`, or becomes NULL with `on_invalid: null`.
 */
export const email: TransformDefinition<z.output<typeof emailParams>> = {
  name: 'email',
  usage: 'email: { on_invalid?: reject | null }',
  params: emailParams,
  compile: ({ on_invalid }) =>
    single((value) => {
      const text = textOf('email', value).trim();
      if (isBlankText(text)) return null;
      const address = text.toLowerCase();
      if (validator.isEmail(address)) return address;
      if (on_invalid === 'null') return null;
      throw new TransformError('email', 'invalid_email', value);
    }),
};
