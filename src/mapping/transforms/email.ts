import validator from 'validator';
import { z } from 'zod';
import { onInvalid } from './params.js';
import { single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

/**
 * An ASCII address with one `@`, in lower case, whose local part and domain hold only characters
 * validator's isEmail accepts there (the domain without `_`): for it, isEmail comes down to the
 * checks of `isPlainEmail`. Anything else (quotes, non-ASCII, display names…) goes to isEmail.
 */
const PLAIN_ADDRESS = /^([a-z0-9!#$%&'*+/=?^_`{|}~.-]+)@([a-z0-9.-]+)$/;
const TLD = /^(?:[a-z]{2,}|xn[a-z0-9-]{2,})$/;

/**
 * `validator.isEmail(address)` (default options) for an address matching PLAIN_ADDRESS: at most
 * 254 characters, a local part of at most 64 (ASCII: bytes = characters) with no empty dot-part,
 * and isFQDN's domain: two or more labels of 1–63 characters, none starting or ending with `-`,
 * the last one letters (or an `xn--` label) of two or more.
 */
function isPlainEmail(address: string, user: string, domain: string): boolean {
  if (address.length > 254 || user.length > 64 || domain.length > 254) return false;
  if (user.startsWith('.') || user.endsWith('.') || user.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2 || !TLD.test(labels[labels.length - 1])) return false;
  return labels.every((l) => l.length > 0 && l.length <= 63 && l[0] !== '-' && l[l.length - 1] !== '-');
}

/** validator's isEmail, without its per-call option merging and byte counting for plain addresses. */
export function isEmailAddress(address: string): boolean {
  const plain = PLAIN_ADDRESS.exec(address);
  return plain ? isPlainEmail(address, plain[1], plain[2]) : validator.isEmail(address);
}

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
      if (isEmailAddress(address)) return address;
      if (on_invalid === 'null') return null;
      throw new TransformError('email', 'invalid_email', value);
    }),
};
