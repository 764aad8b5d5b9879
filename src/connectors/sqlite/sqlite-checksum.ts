import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { toCanonicalText } from '../../core/canonical.js';
import type { CanonicalKind } from '../../core/types.js';
import type { CanonicalRow, ChecksumRequest, ChecksumSession, SegmentChecksum, TextKeyRange } from '../contract.js';
import { partCase } from '../shared/part-case.js';
import { withSqliteErrors } from './sqlite-errors.js';
import { tableColumns } from './sqlite-introspector.js';
import { quoteIdent } from './sqlite-sql.js';
import { decoderFor, REPLACEMENT, type SqliteValue } from './sqlite-values.js';

/**
 * SQLite stores values loosely (a decimal as TEXT or REAL, a boolean as 0/1), so the canonical
 * text of a stored value is computed by the connector's own decoder inside SQLite, through
 * user-defined functions: `crm_text(i, v)` is `toCanonicalText` of column i, `crm_field(i, v)`
 * its field text, and the aggregate `crm_hash_sum(row)` sums the md5 prefixes modulo 2^64.
 */

/** Key kinds stored so that SQLite's own order (integers numerically, TEXT by bytes) is canonical order. */
const NATIVE_ORDER: readonly CanonicalKind[] = ['integer', 'bigint', 'text', 'enum'];
/** Key kinds ordered through their canonical text (stored text may be in another layout). */
const TEXT_ORDER: readonly CanonicalKind[] = ['uuid', 'date', 'time', 'timestamp', 'timestamptz', 'binary'];

const MASK = (1n << 64n) - 1n;

/**
 * The canonical text of a stored text that is not UTF-8: no value's canonical text starts with
 * NUL, so the row hashes unequal to any row of the other side (a target holding the U+FFFD that
 * better-sqlite3 shows in place of the bad bytes included), and the difference is reported.
 */
const NOT_UTF8 = '\u0000not UTF-8: ';

/**
 * True when better-sqlite3 replaced bytes of this text with U+FFFD (see `REPLACEMENT`): its UTF-8
 * length then differs from the stored one. (Only bad sequences of exactly 3 bytes each, which
 * U+FFFD replaces by 3 bytes, would go unseen; the reader itself reads the bytes and is exact.)
 */
function replacedBytes(raw: SqliteValue, storedBytes: bigint | null): boolean {
  return typeof raw === 'string' && raw.includes(REPLACEMENT) && BigInt(Buffer.byteLength(raw, 'utf8')) !== storedBytes;
}

/**
 * A checksum session in one read transaction on `db`, or undefined when a key kind cannot be
 * ordered canonically here. `own` is a handle opened for this session, closed with it.
 */
export function openSqliteChecksum(db: Database, request: ChecksumRequest, own?: Database): ChecksumSession | undefined {
  const { table } = request;
  const stored = new Set(withSqliteErrors({ table }, () => tableColumns(db, table)).map((c) => c.name));
  const all = [...request.key, ...request.columns];
  const missing = all.find((c) => !stored.has(c.name));
  if (missing || request.key.some((k) => !NATIVE_ORDER.includes(k.type.kind) && !TEXT_ORDER.includes(k.type.kind))) {
    own?.close();
    return undefined;
  }
  const decoders = all.map((c) => decoderFor(c.type));
  const canonical = (i: bigint | number, raw: SqliteValue, storedBytes: bigint | null): string | null => {
    const column = Number(i);
    if (replacedBytes(raw, storedBytes)) return `${NOT_UTF8}${raw}`;
    const value = decoders[column](raw);
    return value === null ? null : toCanonicalText(value, all[column].type);
  };
  withSqliteErrors({ table }, () => {
    db.function('crm_text', { deterministic: true, safeIntegers: true }, (i: bigint, raw: SqliteValue, n: bigint | null) =>
      canonical(i, raw, n),
    );
    db.function('crm_field', { deterministic: true, safeIntegers: true }, (i: bigint, raw: SqliteValue, n: bigint | null) => {
      const text = canonical(i, raw, n);
      return text === null ? '\\N|' : `${text.replaceAll('\\', '\\\\').replaceAll('|', '\\|')}|`;
    });
    db.aggregate('crm_hash_sum', {
      start: 0n,
      step: (sum: bigint, row: unknown) => (sum + createHash('md5').update(String(row)).digest().readBigUInt64BE(0)) & MASK,
      result: (sum: bigint) => sum.toString(),
    });
    db.exec('BEGIN');
  });
  return new SqliteChecksumSession(db, request, own);
}

class SqliteChecksumSession implements ChecksumSession {
  private readonly from: string;
  private readonly texts: readonly string[];
  private readonly order: readonly string[];
  private readonly rowString: string;

  constructor(
    private readonly db: Database,
    private readonly request: ChecksumRequest,
    private readonly own: Database | undefined,
  ) {
    this.from = quoteIdent(request.table);
    const all = [...request.key, ...request.columns];
    // Each value with its stored byte length (`replacedBytes`): O(1) for SQLite, no copy.
    const args = (name: string) => `${quoteIdent(name)}, length(CAST(${quoteIdent(name)} AS BLOB))`;
    this.texts = all.map((c, i) => `crm_text(${i}, ${args(c.name)})`);
    this.rowString = all.map((c, i) => `crm_field(${i}, ${args(c.name)})`).join(' || ');
    this.order = request.key.map((k, i) => (NATIVE_ORDER.includes(k.type.kind) ? `${this.from}.${quoteIdent(k.name)}` : this.texts[i]));
  }

  async checksum(range: TextKeyRange): Promise<SegmentChecksum> {
    return (await this.checksums(range, []))[0];
  }

  async checksums(range: TextKeyRange, cuts: readonly (readonly string[])[]): Promise<SegmentChecksum[]> {
    // The part's placeholders come first in the statement, so their values go first.
    const partParams: SqliteValue[] = [];
    const part = partCase(cuts, (cut) => this.keyCompare('<=', cut, partParams));
    const { where, params } = this.where(range);
    const rows = this.all(`SELECT ${part} AS crm_part, count(*), crm_hash_sum(${this.rowString}) FROM ${this.from}${where} GROUP BY 1`, [
      ...partParams,
      ...params,
    ]);
    const out: SegmentChecksum[] = Array.from({ length: cuts.length + 1 }, () => ({ count: 0, sum: 0n }));
    for (const [i, count, sum] of rows) out[Number(i)] = { count: Number(count), sum: BigInt(String(sum ?? '0')) };
    return out;
  }

  async splitPoints(range: TextKeyRange, parts: number): Promise<string[][]> {
    const { where, params } = this.where(range);
    const total = Number(this.all(`SELECT count(*) FROM ${this.from}${where}`, params)[0][0]);
    const step = Math.max(1, Math.ceil(total / parts));
    const n = this.request.key.length;
    const keys = this.texts.slice(0, n).map((t, i) => `${t} AS crm_k${i}`);
    const rows = this.all(
      `SELECT ${keys.map((_, i) => `crm_k${i}`).join(', ')} FROM (
         SELECT ${keys.join(', ')}, row_number() OVER (ORDER BY ${this.order.join(', ')}) AS rn FROM ${this.from}${where})
        WHERE rn % ${step} = 0 AND rn < ${total} ORDER BY rn`,
      params,
    );
    return rows.map((r) => r.map(String));
  }

  async rows(range: TextKeyRange): Promise<CanonicalRow[]> {
    const { where, params } = this.where(range);
    const n = this.request.key.length;
    const rows = this.all(
      `SELECT ${this.texts.map((t, i) => `${t} AS crm_c${i}`).join(', ')} FROM ${this.from}${where} ORDER BY ${this.order.join(', ')}`,
      params,
    );
    return rows.map((r) => ({ key: r.slice(0, n).map(String), values: r.slice(n).map((v) => (v === null ? null : String(v))) }));
  }

  async close(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.own?.close();
  }

  private where(range: TextKeyRange): { where: string; params: SqliteValue[] } {
    const conditions: string[] = [];
    const params: SqliteValue[] = [];
    if (this.request.where) conditions.push(`(${this.request.where})`);
    if (range.after) conditions.push(this.keyCompare('>', range.after, params));
    if (range.upTo) conditions.push(this.keyCompare('<=', range.upTo, params));
    return { where: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', params };
  }

  /** `(key…) <operator> (?…)` in canonical key order, the bound's values appended to `params`. */
  private keyCompare(operator: string, values: readonly string[], params: SqliteValue[]): string {
    const integer = this.request.key.map((k) => k.type.kind === 'integer' || k.type.kind === 'bigint');
    params.push(...values.map((v, i) => (integer[i] ? BigInt(v) : v)));
    return `(${this.order.join(', ')}) ${operator} (${values.map(() => '?').join(', ')})`;
  }

  private all(sql: string, params: readonly SqliteValue[]): unknown[][] {
    return withSqliteErrors({ table: this.request.table }, () =>
      this.db
        .prepare(sql)
        .raw(true)
        .safeIntegers(true)
        .all(...params),
    ) as unknown[][];
  }
}
