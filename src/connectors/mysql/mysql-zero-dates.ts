import { normalizeTimestamp } from '../../core/canonical.js';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalKind } from '../../core/types.js';
import { nativeName } from './mysql-sql.js';

/**
 * Zero dates: MySQL without NO_ZERO_DATE / NO_ZERO_IN_DATE stores `0000-00-00`,
 * `0000-00-00 00:00:00` and dates with a zero month or day (`2020-00-00`, `2020-05-00`), in
 * NOT NULL columns too. None is a date, so what one reads as is a rule, declared in the connector
 * options: for the whole source (`zeroDate`) and per column (`zeroDates`, keyed `table.column`,
 * which the plan fills from the fields' `zeroDate`):
 *
 * - `null` (the default): NULL, whatever the column's NOT NULL says (the mapping then decides);
 * - `reject`: the row is a read reject (CRM_R4017, reason `zero_date`);
 * - a date or timestamp text, e.g. `1970-01-01`: that value.
 */
export type ZeroDateRule = null | 'reject' | string;

/** The text of a zero date: year 0000, or month or day 00. */
const ZERO_DATE = /^0000-|^\d{4}-00-|^\d{4}-\d{2}-00(?:$|[ T])/;

export function isZeroDate(text: string): boolean {
  return ZERO_DATE.test(text);
}

/** A zero date read where the rule is `reject` (CRM_R4017). */
export class RejectedZeroDate extends Error {}

const DECLARED = /^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)?$/;

function checkedRule(rule: unknown, where: string): ZeroDateRule {
  if (rule === null || rule === 'null' || rule === 'reject') return rule === 'reject' ? 'reject' : null;
  if (typeof rule === 'string' && DECLARED.test(rule) && !isZeroDate(rule)) return rule;
  throw new CrmError('CRM_C1003', `${where} is ${JSON.stringify(rule)}; it takes null, reject or a date such as 1970-01-01`, {
    location: { connector: 'mysql' },
  });
}

/** The zero-date rules of a source, from its connector options. */
export class ZeroDatePolicy {
  private readonly byColumn: ReadonlyMap<string, ZeroDateRule>;
  private readonly fallback: ZeroDateRule;

  constructor(options: Readonly<Record<string, unknown>> | undefined) {
    this.fallback = options?.zeroDate === undefined ? null : checkedRule(options.zeroDate, 'option zeroDate');
    const columns = (options?.zeroDates ?? {}) as Readonly<Record<string, unknown>>;
    this.byColumn = new Map(
      Object.entries(columns).map(([name, rule]) => {
        const dot = name.lastIndexOf('.');
        return [`${nativeName(name.slice(0, dot))}.${nativeName(name.slice(dot + 1))}`, checkedRule(rule, `zeroDates.${name}`)];
      }),
    );
  }

  /**
   * What a zero date of `table.column` (of canonical kind `kind`) reads as: a function from the
   * zero date's text to the value, or throwing `RejectedZeroDate`.
   */
  decoder(table: string, column: string, kind: CanonicalKind): (text: string) => string | null {
    const key = `${nativeName(table)}.${nativeName(column)}`;
    const rule = this.byColumn.has(key) ? (this.byColumn.get(key) ?? null) : this.fallback;
    if (rule === null) return () => null;
    if (rule === 'reject') {
      return (text) => {
        throw new RejectedZeroDate(`zero date ${text} (declared zeroDate: reject)`);
      };
    }
    const value = declaredValue(rule, kind);
    return () => value;
  }
}

/** The declared value in the canonical form of the column's kind (a date gets midnight in a timestamp). */
function declaredValue(rule: string, kind: CanonicalKind): string {
  if (kind === 'date') return rule.slice(0, 10);
  const timestamp = normalizeTimestamp(rule.length === 10 ? `${rule} 00:00:00` : rule);
  return kind === 'timestamptz' ? `${timestamp.replace(' ', 'T')}Z` : timestamp;
}
