import type { Value } from '../../core/types.js';

/** Where polling of an object stands: the (updatedAt, key) of the last row applied. */
export interface Watermark {
  /** The updatedAt value as read (canonical text of a timestamp, timestamptz or date). */
  readonly ts: string;
  /** The key values as read (numbers stay numbers, so the database compares them as it orders them). */
  readonly key: readonly (string | number | boolean | null)[];
}

export function parseWatermark(text: string | undefined): Watermark | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as Watermark);
}

export function watermarkOf(ts: Value, key: readonly Value[]): Watermark {
  return { ts: String(ts), key: key.map(jsonValue) };
}

function jsonValue(v: Value): string | number | boolean | null {
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z?))?$/;

/**
 * `ts` moved by `seconds` (negative: earlier), in the same textual form, so the database compares
 * it with the column as it compares what it returned. Fractions are kept as written.
 */
export function shiftTimestamp(ts: string, seconds: number): string {
  const m = STAMP.exec(ts);
  if (!m || seconds === 0) return ts;
  const [, y, mo, d, sep, h = '00', mi = '00', s = '00', fraction = '', zone = ''] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  if (!sep) return day;
  return `${day}${sep}${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction}${zone}`;
}
