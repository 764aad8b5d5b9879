import { z } from 'zod';

/** Params of a transform that takes none: the step is written as a bare name (or `name: {}`). */
export const noParams = z.strictObject({}).optional();

/** A scalar a mapping may write as a literal value (`default`, picklist targets). */
export const literalValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * An `on_invalid` policy among `choices`, 'reject' by default. YAML reads `on_invalid: null` (as
 * the usage texts write it) as the null value, not the word: both mean the field becomes NULL.
 */
export function invalidPolicy<const T extends readonly ['reject', ...string[]]>(choices: T) {
  return z.preprocess((v) => (v === null ? 'null' : v), z.enum(choices)).default('reject' as T[number]);
}

/** 'reject' (the row goes to the rejects) or 'null' (the field becomes NULL). */
export const onInvalid = invalidPolicy(['reject', 'null']);

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneName = z.string().refine(isValidTimeZone, { message: 'expected an IANA time zone such as "America/New_York"' });
