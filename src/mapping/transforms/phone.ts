import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { CrmError } from '../../core/errors/crm-error.js';
import { invalidPolicy } from './params.js';
import { fastPhoneParts, type PhoneParts } from './phone-e164.js';
import { type CompileContext, single, type TransformDefinition, TransformError } from './transform.js';
import { isBlankText, textOf } from './value-text.js';

const country = z
  .string()
  .refine((code) => isSupportedCountry(code), { message: 'expected an ISO 3166 alpha-2 country code such as "US"' });

const phoneParams = z
  .strictObject({
    /** Country of numbers written without a country code; default: the run's `defaultCountry`. */
    country: country.optional(),
    /** `keep` writes an extension RFC 3966 style: `+14155550100;ext=12`. */
    extension: z.enum(['keep', 'drop']).default('keep'),
    /** `keep` passes an invalid number through as written (trimmed). */
    on_invalid: invalidPolicy(['reject', 'keep', 'null']),
  })
  .default({ extension: 'keep', on_invalid: 'reject' });

type PhoneParams = z.output<typeof phoneParams>;

const MEMO_SIZE = 10_000;

function countryOf(params: PhoneParams, ctx: CompileContext): CountryCode | undefined {
  const code = params.country ?? ctx.defaultCountry;
  if (code === undefined) return undefined;
  if (!isSupportedCountry(code)) throw new CrmError('CRM_M5001', `unknown default country "${code}" (expected e.g. "US")`);
  return code;
}

/** Phone text to E.164 (`+14155550100`) with libphonenumber-js's full metadata; blank is NULL. */
export const phone: TransformDefinition<PhoneParams> = {
  name: 'phone',
  usage: 'phone: { country?: US, extension?: keep | drop, on_invalid?: reject | keep | null }',
  params: phoneParams,
  compile: (params, ctx) => {
    const defaultCountry = countryOf(params, ctx);
    const keepExtension = params.extension === 'keep';
    // What libphonenumber-js made of text the fast path leaves to it: mostly a few values repeated
    // (`n/a`, `TBD`, `999-CALL-NOW`), each costly to parse; bounded, and exact (parsing is pure).
    const memo = new Map<string, PhoneParts | null>();
    const slowParts = (text: string): PhoneParts | null => {
      let parts = memo.get(text);
      if (parts !== undefined) return parts;
      const parsed = parsePhoneNumberFromString(text, defaultCountry);
      parts = parsed ? { number: parsed.number, ext: parsed.ext, valid: parsed.isValid() } : null;
      if (memo.size >= MEMO_SIZE) memo.clear();
      memo.set(text, parts);
      return parts;
    };
    return single((value) => {
      const text = textOf('phone', value).trim();
      if (isBlankText(text)) return null;
      // The plain shapes take the exact fast path; the rest, and only they, libphonenumber-js itself.
      const parts = fastPhoneParts(text, defaultCountry) ?? slowParts(text);
      if (parts?.valid) return keepExtension && parts.ext ? `${parts.number};ext=${parts.ext}` : parts.number;
      if (params.on_invalid === 'keep') return text;
      if (params.on_invalid === 'null') return null;
      throw new TransformError(
        'phone',
        'invalid_phone',
        value,
        defaultCountry ? `default country ${defaultCountry}` : 'no default country',
      );
    });
  },
};
