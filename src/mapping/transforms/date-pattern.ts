import { CrmError } from '../../core/errors/crm-error.js';
import { pad } from './civil-time.js';

/**
 * Date/time patterns as mappings write them (`MM/DD/YYYY`, `DD.MM.YYYY HH:mm:ss`), compiled
 * once into a regex and a field list. Tokens: YYYY, YY, MMMM, MMM, MM, M, DD, D, HH, H, hh, h,
 * mm, ss, S… (fraction, 1–9 digits whatever the run length), A (AM/PM), Z (offset: `Z`,
 * `+05:30`, `+0530`, `+05`). Text in [brackets] is literal; any other character is literal,
 * and a space matches one or more white-space characters.
 */

export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction-of-second digits as written ('' when none). */
  fraction: string;
  /** Minutes east of UTC when the text carries an offset; undefined for naive text. */
  offsetMinutes: number | undefined;
}

type Field =
  | 'year4'
  | 'year2'
  | 'monthName'
  | 'month'
  | 'day'
  | 'hour24'
  | 'hour12'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'meridiem'
  | 'offset';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_BY_NAME = new Map<string, number>(MONTHS.flatMap((name, i) => [[name, i + 1] as const, [name.slice(0, 3), i + 1] as const]));
// "Sept" is a common abbreviation outside the three-letter set.
MONTH_BY_NAME.set('sept', 9);

/** Longest first, so `YYYY` wins over `YY` and `MMMM` over `MM`. */
const TOKENS: readonly (readonly [string, Field, string])[] = [
  ['YYYY', 'year4', '(\\d{4})'],
  ['MMMM', 'monthName', '(\\p{L}+)'],
  ['MMM', 'monthName', '(\\p{L}+)\\.?'],
  ['YY', 'year2', '(\\d{2})'],
  ['MM', 'month', '(\\d{2})'],
  ['DD', 'day', '(\\d{2})'],
  ['HH', 'hour24', '(\\d{2})'],
  ['hh', 'hour12', '(\\d{2})'],
  ['mm', 'minute', '(\\d{2})'],
  ['ss', 'second', '(\\d{2})'],
  ['M', 'month', '(\\d{1,2})'],
  ['D', 'day', '(\\d{1,2})'],
  ['H', 'hour24', '(\\d{1,2})'],
  ['h', 'hour12', '(\\d{1,2})'],
  ['A', 'meridiem', '([AaPp]\\.?[Mm]\\.?)'],
  ['a', 'meridiem', '([AaPp]\\.?[Mm]\\.?)'],
  ['Z', 'offset', '(Z|z|[+-]\\d{2}(?::?\\d{2})?)'],
];

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

export interface CompiledPattern {
  readonly source: string;
  readonly hasTime: boolean;
  readonly hasOffset: boolean;
  /** Reads `text`; undefined when it does not match (field ranges are checked by the caller). */
  parse(text: string): DateTimeFields | undefined;
  /** Writes fields in this pattern (the inverse direction). */
  format(fields: DateTimeFields): string;
}

type Piece = { readonly literal: string } | { readonly field: Field; readonly width: number };

function tokenize(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  outer: while (i < pattern.length) {
    if (pattern[i] === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new CrmError('CRM_M5001', `pattern "${pattern}": unclosed [`);
      pieces.push({ literal: pattern.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    if (pattern[i] === 'S') {
      let end = i;
      while (pattern[end] === 'S') end++;
      pieces.push({ field: 'fraction', width: end - i });
      i = end;
      continue;
    }
    for (const [token, field] of TOKENS) {
      if (pattern.startsWith(token, i)) {
        pieces.push({ field, width: token.length });
        i += token.length;
        continue outer;
      }
    }
    pieces.push({ literal: pattern[i] });
    i++;
  }
  return pieces;
}

function regexOf(pieces: readonly Piece[]): string {
  return pieces
    .map((piece) => {
      if ('literal' in piece) return piece.literal.replace(REGEX_SPECIAL, '\\$&').replace(/ /g, '\\s+');
      if (piece.field === 'fraction') return '(\\d{1,9})';
      const token = TOKENS.find(([t, f]) => f === piece.field && t.length === piece.width);
      return token?.[2] ?? '';
    })
    .join('');
}

function parseOffset(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}

function formatOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A two-digit year is read in the hundred years ending at `pivot + 99` (pivot 1970: 70→1970, 69→2069). */
export function compilePattern(source: string, centuryPivot = 1970): CompiledPattern {
  const pieces = tokenize(source);
  const fields = pieces.flatMap((piece) => ('field' in piece ? [piece.field] : []));
  if (new Set(fields).size !== fields.length) throw new CrmError('CRM_M5001', `pattern "${source}" repeats a field`);
  const has = (f: Field) => fields.includes(f);
  if (!(has('year4') || has('year2')) || !(has('month') || has('monthName')) || !has('day')) {
    throw new CrmError('CRM_M5001', `pattern "${source}" needs a year (YYYY or YY), a month (MM, M or MMM) and a day (DD or D)`);
  }
  if (has('hour12') !== has('meridiem')) throw new CrmError('CRM_M5001', `pattern "${source}": hh/h needs A (AM/PM) and A needs hh/h`);
  const regex = new RegExp(`^${regexOf(pieces)}$`, 'u');

  return {
    source,
    hasTime: has('hour24') || has('hour12'),
    hasOffset: has('offset'),
    parse(text) {
      const match = regex.exec(text);
      if (!match) return undefined;
      const out: DateTimeFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, fraction: '', offsetMinutes: undefined };
      let pm: boolean | undefined;
      for (let i = 0; i < fields.length; i++) {
        const group = match[i + 1];
        switch (fields[i]) {
          case 'year4':
            out.year = Number(group);
            break;
          case 'year2': {
            const yy = Number(group);
            out.year = centuryPivot - (centuryPivot % 100) + yy + (yy < centuryPivot % 100 ? 100 : 0);
            break;
          }
          case 'monthName':
            out.month = MONTH_BY_NAME.get(group.toLowerCase()) ?? 0;
            if (out.month === 0) return undefined;
            break;
          case 'month':
            out.month = Number(group);
            break;
          case 'day':
            out.day = Number(group);
            break;
          case 'hour24':
          case 'hour12':
            out.hour = Number(group);
            break;
          case 'minute':
            out.minute = Number(group);
            break;
          case 'second':
            out.second = Number(group);
            break;
          case 'fraction':
            out.fraction = group;
            break;
          case 'meridiem':
            pm = group[0] === 'p' || group[0] === 'P';
            break;
          case 'offset':
            out.offsetMinutes = parseOffset(group);
            break;
        }
      }
      if (pm !== undefined) {
        if (out.hour < 1 || out.hour > 12) return undefined;
        out.hour = (out.hour % 12) + (pm ? 12 : 0);
      }
      return out;
    },
    format(f) {
      let out = '';
      for (const piece of pieces) {
        if ('literal' in piece) {
          out += piece.literal;
          continue;
        }
        const wide = piece.width >= 2;
        switch (piece.field) {
          case 'year4':
            out += pad(f.year, 4);
            break;
          case 'year2':
            out += pad(f.year % 100);
            break;
          case 'monthName': {
            const name = MONTHS[f.month - 1];
            const shown = piece.width === 4 ? name : name.slice(0, 3);
            out += shown[0].toUpperCase() + shown.slice(1);
            break;
          }
          case 'month':
            out += wide ? pad(f.month) : String(f.month);
            break;
          case 'day':
            out += wide ? pad(f.day) : String(f.day);
            break;
          case 'hour24':
            out += wide ? pad(f.hour) : String(f.hour);
            break;
          case 'hour12': {
            const h = f.hour % 12 === 0 ? 12 : f.hour % 12;
            out += wide ? pad(h) : String(h);
            break;
          }
          case 'minute':
            out += pad(f.minute);
            break;
          case 'second':
            out += pad(f.second);
            break;
          case 'fraction':
            out += f.fraction.padEnd(piece.width, '0');
            break;
          case 'meridiem':
            out += f.hour < 12 ? 'AM' : 'PM';
            break;
          case 'offset':
            out += formatOffset(f.offsetMinutes ?? 0);
            break;
        }
      }
      return out;
    },
  };
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * ISO 8601 / SQL text: `2024-03-01`, `2024-03-01 13:45`, `2024-03-01T13:45:07.123456+02:00`.
 * Formats as the canonical naive timestamp `YYYY-MM-DD HH:MM:SS.ffffff`.
 */
export const ISO_DATETIME: CompiledPattern = {
  source: 'ISO 8601 (YYYY-MM-DD[THH:mm[:ss[.ffffff]]][Z|±HH:MM])',
  hasTime: true,
  hasOffset: true,
  parse(text) {
    const m = ISO.exec(text);
    if (!m) return undefined;
    return {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      fraction: m[7] ?? '',
      offsetMinutes: m[8] === undefined ? undefined : parseOffset(m[8]),
    };
  },
  format: (f) =>
    `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}.${f.fraction.padEnd(6, '0')}`,
};
