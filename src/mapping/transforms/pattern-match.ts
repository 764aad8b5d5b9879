import { isValidDate } from '../../core/canonical.js';
import type { Value } from '../../core/types.js';
import type { CompiledPattern, DateTimeFields } from './date-pattern.js';
import { TransformError } from './transform.js';

// Day-month-year orders that differ between countries: without a declared pattern they are guesses.
const LOOKS_LOCAL = /^\d{1,2}[/.\-\s]\d{1,2}[/.\-\s]\d{2,4}\b/;

const ZEROS = /^0*$/;
const TRAILING_ZEROS = /0+$/;

function validFields(f: DateTimeFields): boolean {
  return f.year >= 1 && isValidDate(f.year, f.month, f.day) && f.hour <= 23 && f.minute <= 59 && f.second <= 59;
}

function sameInstant(a: DateTimeFields, b: DateTimeFields): boolean {
  return (
    a.year === b.year &&
    a.month === b.month &&
    a.day === b.day &&
    a.hour === b.hour &&
    a.minute === b.minute &&
    a.second === b.second &&
    a.fraction.replace(TRAILING_ZEROS, '') === b.fraction.replace(TRAILING_ZEROS, '') &&
    a.offsetMinutes === b.offsetMinutes
  );
}

/**
 * Reads `text` with every pattern and returns the one reading, or NULL for a zero date
 * (`0000-00-00`) when `zeroDate` is 'null'. Rejects with:
 * - `ambiguous_date` when two declared patterns read different dates, or when no pattern was
 *   declared and the text is a day/month order such as `01/03/2024`;
 * - `invalid_date` when a pattern matched but the date cannot exist (2006-13-11, 02/30);
 * - `precision_loss` when the fraction has non-zero digits beyond microseconds;
 * - `unparseable_date` when nothing matched.
 */
export function readDateTime(
  transform: string,
  raw: Value,
  text: string,
  patterns: readonly CompiledPattern[],
  declared: boolean,
  zeroDate: 'null' | 'reject',
): DateTimeFields | null {
  let found: DateTimeFields | undefined;
  let impossible = false;
  for (const pattern of patterns) {
    const fields = pattern.parse(text);
    if (!fields) continue;
    if (fields.year === 0 && fields.month === 0 && fields.day === 0) {
      if (zeroDate === 'null') return null;
      throw new TransformError(transform, 'zero_date', raw);
    }
    if (!validFields(fields)) {
      impossible = true;
      continue;
    }
    if (!found) found = fields;
    else if (!sameInstant(found, fields)) {
      throw new TransformError(transform, 'ambiguous_date', raw, `declared patterns disagree: ${patterns.map((p) => p.source).join(', ')}`);
    }
  }
  if (found) {
    if (!ZEROS.test(found.fraction.slice(6))) throw new TransformError(transform, 'precision_loss', raw, 'more than 6 fraction digits');
    return found;
  }
  if (impossible) throw new TransformError(transform, 'invalid_date', raw);
  if (!declared && LOOKS_LOCAL.test(text)) {
    throw new TransformError(transform, 'ambiguous_date', raw, 'declare the pattern, e.g. formats: ["MM/DD/YYYY"]');
  }
  throw new TransformError(transform, 'unparseable_date', raw, `expected ${patterns.map((p) => p.source).join(' or ')}`);
}
