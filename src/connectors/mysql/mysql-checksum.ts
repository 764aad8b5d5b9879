import type { RowDataPacket } from 'mysql2';
import type { CanonicalKind } from '../../core/types.js';
import type { CanonicalRow, ChecksumColumn, ChecksumRequest, ChecksumSession, SegmentChecksum, TextKeyRange } from '../contract.js';
import { partCase } from '../shared/part-case.js';
import type { ColumnEncodings } from './mysql-charsets.js';
import { translateMysqlError } from './mysql-errors.js';
import type { MysqlPool, Session } from './mysql-pool.js';
import { nativeName, quoteId, tuple } from './mysql-sql.js';

/** A column's storage: DATA_TYPE, COLUMN_TYPE, collation and charset from information_schema. */
interface Storage {
  readonly dataType: string;
  readonly columnType: string;
  readonly collation: string | null;
  readonly charset: string | null;
}

type Expression = (column: string) => string;

/**
 * Expressions that give NULL for NULL (every function they call does), so they need no
 * `IF(c IS NULL, NULL, …)` around them: one test less per column and row, ~13 % of a whole-table
 * checksum. The others (a boolean's IF, CASEs, subqueries) would turn NULL into a text.
 */
const STRICT = new WeakSet<Expression>();
const strict = (e: Expression): Expression => {
  STRICT.add(e);
  return e;
};

const utf8: Expression = strict((c) => `CONVERT(${c} USING utf8mb4)`);
const asChar: Expression = strict((c) => `CAST(${c} AS CHAR)`);

/** Plain decimal text without trailing fraction zeros (and no `-0`). */
const trimmedDecimal = (c: string, text: string) =>
  `CASE WHEN ${c} = 0 THEN '0' WHEN LOCATE('.', ${text}) > 0 THEN TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM ${text})) ELSE ${text} END`;

/** `d[.ddd]` from significant digits `d` (no sign): JavaScript's mantissa layout. */
const mantissa = (d: string) => `CONCAT(LEFT(${d}, 1), IF(LENGTH(${d}) > 1, CONCAT('.', SUBSTRING(${d}, 2)), ''))`;

/**
 * JavaScript's `String(number)` from the server's double text, which has the shortest digits but
 * its own layout (`1e21`, `1.23e-18`, `-0.00000000025`): plain notation for 1e-6 <= |x| < 1e21
 * (exact through DECIMAL(65,30), which holds that whole range), else `d.ddde±n`.
 */
const float: Expression = (c) => {
  const s = `REPLACE(CAST(${c} AS CHAR), 'e+', 'e')`;
  const sign = `IF(${c} < 0, '-', '')`;
  const frac = `SUBSTRING_INDEX(${s}, '.', -1)`;
  const smallDigits = `TRIM(LEADING '0' FROM ${frac})`;
  const intPart = `TRIM(LEADING '-' FROM SUBSTRING_INDEX(${s}, '.', 1))`;
  const largeDigits = `TRIM(TRAILING '0' FROM ${intPart})`;
  const exponent = `SUBSTRING_INDEX(${s}, 'e', -1)`;
  return (
    `CASE WHEN ${c} = 0 THEN '0' ` +
    `WHEN ABS(${c}) >= 1e21 OR ABS(${c}) < 1e-6 THEN CASE ` +
    `WHEN LOCATE('e', ${s}) > 0 THEN CONCAT(SUBSTRING_INDEX(${s}, 'e', 1), 'e', IF(LEFT(${exponent}, 1) = '-', '', '+'), ${exponent}) ` +
    `WHEN ABS(${c}) < 1 THEN CONCAT(${sign}, ${mantissa(smallDigits)}, 'e-', LENGTH(${frac}) - LENGTH(${smallDigits}) + 1) ` +
    `ELSE CONCAT(${sign}, ${mantissa(largeDigits)}, 'e+', LENGTH(${intPart}) - 1) END ` +
    `ELSE ${trimmedDecimal(c, `CAST(CAST(${s} AS DECIMAL(65,30)) AS CHAR)`)} END`
  );
};

/** Distinct members of a JSON array, sorted by code point (binary), as compact JSON. */
const multiselect: Expression = (c) =>
  `(SELECT CONCAT('[', COALESCE(GROUP_CONCAT(DISTINCT JSON_QUOTE(j.m) ORDER BY CAST(j.m AS BINARY) SEPARATOR ','), ''), ']') ` +
  `FROM JSON_TABLE(${c}, '$[*]' COLUMNS (m LONGTEXT PATH '$')) j)`;

const INTEGERS = ['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'year'];
const TEXTS = ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext'];
const BINARIES = ['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob'];
const each = (types: readonly string[], e: Expression) => Object.fromEntries(types.map((t) => [t, e]));

/**
 * Canonical text (see `toCanonicalText`) per requested kind, per DATA_TYPE: SQL as data. Sessions
 * run in time_zone +00:00 (mysql-pool), so TIMESTAMP reads as UTC. A pair missing here (json,
 * multiselect in a SET) is hashed in-process by the caller.
 */
const CANONICAL: { readonly [K in CanonicalKind]: Readonly<Record<string, Expression>> } = {
  text: { ...each(TEXTS, utf8), enum: strict((c) => utf8(asChar(c))), inet4: asChar, inet6: asChar },
  enum: { ...each(TEXTS, utf8), enum: strict((c) => utf8(asChar(c))) },
  // A native UUID prints in lower case already.
  uuid: {
    ...each(
      TEXTS,
      strict((c) => `LOWER(${utf8(c)})`),
    ),
    uuid: asChar,
  },
  integer: each(INTEGERS, asChar),
  bigint: each(INTEGERS, asChar),
  decimal: { ...each(INTEGERS, asChar), decimal: (c) => trimmedDecimal(c, asChar(c)) },
  float: { float: float, double: float },
  boolean: { tinyint: (c) => `IF(${c} <> 0, 'true', 'false')`, bit: (c) => `IF(${c} <> 0, 'true', 'false')` },
  date: { date: strict((c) => `DATE_FORMAT(${c}, '%Y-%m-%d')`) },
  time: { time: strict((c) => `TIME_FORMAT(${c}, '%H:%i:%s.%f')`) },
  timestamp: each(
    ['datetime', 'timestamp'],
    strict((c) => `DATE_FORMAT(${c}, '%Y-%m-%d %H:%i:%s.%f')`),
  ),
  timestamptz: each(
    ['datetime', 'timestamp'],
    strict((c) => `DATE_FORMAT(${c}, '%Y-%m-%dT%H:%i:%s.%fZ')`),
  ),
  binary: each(
    BINARIES,
    strict((c) => `LOWER(HEX(${c}))`),
  ),
  json: {},
  multiselect: each(TEXTS, multiselect),
  // Bytes (GEOMETRY's internal form, …) the reader selects as binary: hashed in-process.
  opaque: {},
};

type KeyOrder = { readonly order: (c: string) => string; readonly bound: (text: string) => { sql: string; value?: unknown } };

const INTEGER_LITERAL = /^-?\d+$/;
const DECIMAL_LITERAL = /^-?\d+(?:\.\d+)?$/;
/** A number bound inline: the text was checked, and a quoted string would compare as DOUBLE. */
const literal = (pattern: RegExp) => (text: string) => {
  if (!pattern.test(text)) throw new RangeError(`not a key bound: ${text}`);
  return { sql: text };
};
const param = (text: string) => ({ sql: '?', value: text });
const native: KeyOrder['order'] = (c) => c;
/** Code-point order whatever the collation, and without PAD SPACE: the bytes of the UTF-8 text. */
const bytes: KeyOrder = { order: (c) => `CAST(${utf8(asChar(c))} AS BINARY)`, bound: (t) => ({ sql: 'CAST(? AS BINARY)', value: t }) };

function keyOrder(kind: CanonicalKind, s: Storage): KeyOrder | undefined {
  const exactText = s.collation?.endsWith('_bin') ?? false;
  const text = TEXTS.includes(s.dataType) ? (exactText ? { order: native, bound: param } : bytes) : undefined;
  switch (kind) {
    case 'integer':
    case 'bigint':
      return INTEGERS.includes(s.dataType) ? { order: native, bound: literal(INTEGER_LITERAL) } : undefined;
    case 'decimal':
      return [...INTEGERS, 'decimal'].includes(s.dataType) ? { order: native, bound: literal(DECIMAL_LITERAL) } : undefined;
    case 'text':
    case 'enum':
      return s.dataType === 'enum' ? bytes : text;
    case 'uuid':
      return s.dataType === 'uuid' ? bytes : text;
    case 'date':
    case 'time':
    case 'timestamp':
      return ['date', 'time', 'datetime', 'timestamp'].includes(s.dataType) ? { order: native, bound: param } : undefined;
    case 'timestamptz':
      return ['datetime', 'timestamp'].includes(s.dataType)
        ? { order: native, bound: (t) => ({ sql: '?', value: t.replace('T', ' ').replace(/Z$/, '') }) }
        : undefined;
    case 'binary':
      return BINARIES.includes(s.dataType) ? { order: native, bound: (t) => ({ sql: '?', value: Buffer.from(t, 'hex') }) } : undefined;
    default:
      return undefined;
  }
}

interface SqlPlan {
  readonly keyTexts: readonly string[];
  readonly valueTexts: readonly string[];
  readonly keys: readonly KeyOrder[];
  readonly keyColumns: readonly string[];
}

/**
 * Opens a checksum session on one table in one consistent read-only snapshot, or resolves
 * undefined when a column's canonical text or the key order has no SQL form on this server.
 */
export async function openMysqlChecksum(
  pool: MysqlPool,
  request: ChecksumRequest,
  encodings: ColumnEncodings,
): Promise<ChecksumSession | undefined> {
  const { table } = request;
  const jsonTable = pool.flavour.kind === 'mariadb' ? pool.flavour.major > 10 || pool.flavour.minor >= 6 : pool.flavour.major >= 8;
  let session: Session | undefined;
  try {
    session = await pool.acquireScan();
    const [rows] = await session.sql.query<RowDataPacket[]>(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, COLLATION_NAME AS collation,
              CHARACTER_SET_NAME AS charset
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      [nativeName(table)],
    );
    const storage = new Map<string, Storage>(
      rows.map((r) => [
        String(r.name),
        {
          dataType: String(r.dataType).toLowerCase(),
          columnType: String(r.columnType),
          collation: r.collation as string | null,
          charset: r.charset as string | null,
        },
      ]),
    );
    const plan = planFor(request, storage, jsonTable, encodings);
    if (!plan) {
      session.raw.release();
      return undefined;
    }
    // GROUP_CONCAT (multiselect) would cut its result at the default 1,024 bytes on MySQL.
    await session.sql.query('SET SESSION group_concat_max_len = 1073741824');
    await session.sql.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    return new MysqlChecksumSession(session, request, plan);
  } catch (err) {
    session?.raw.destroy();
    throw translateMysqlError(err, { table });
  }
}

function planFor(
  request: ChecksumRequest,
  storage: ReadonlyMap<string, Storage>,
  jsonTable: boolean,
  encodings: ColumnEncodings,
): SqlPlan | undefined {
  const qualified = (name: string) => `${quoteId(request.table)}.${quoteId(name)}`;
  const canonical = (column: ChecksumColumn): string | undefined => {
    const s = storage.get(nativeName(column.name));
    if (!s || (column.type.kind === 'multiselect' && !jsonTable)) return undefined;
    // The server would hash a `?` where the reader rejects bytes it cannot decode: hashed in-process.
    if (encodings.of(request.table, column.name, s.charset)) return undefined;
    // tinyint(1) is the boolean; wider tinyints hold numbers.
    if (column.type.kind === 'boolean' && s.dataType === 'tinyint' && !/^tinyint\(1\)/i.test(s.columnType)) return undefined;
    const expression = CANONICAL[column.type.kind][s.dataType];
    if (!expression) return undefined;
    const c = qualified(column.name);
    return STRICT.has(expression) ? expression(c) : `IF(${c} IS NULL, NULL, ${expression(c)})`;
  };
  const keyTexts = request.key.map(canonical);
  const valueTexts = request.columns.map(canonical);
  const keys: KeyOrder[] = [];
  for (const column of request.key) {
    const s = storage.get(nativeName(column.name));
    const order = s ? keyOrder(column.type.kind, s) : undefined;
    if (!order) return undefined;
    keys.push(order);
  }
  if ([...keyTexts, ...valueTexts].some((e) => e === undefined)) return undefined;
  return {
    keyTexts: keyTexts as string[],
    valueTexts: valueTexts as string[],
    keys,
    keyColumns: request.key.map((k) => qualified(k.name)),
  };
}

/** Kinds whose canonical text may hold `\` or `|` (free text, JSON); the others are digits, dates, hex. */
const ESCAPED: readonly CanonicalKind[] = ['text', 'enum', 'json', 'multiselect'];

/**
 * The field text of the checksum contract: the text with `\` and `|` escaped, then `|`; `\N|`
 * for NULL, evaluating the text once. (A backslash in a MySQL string literal is written `\\`.)
 */
const field = (canonicalText: string, kind: CanonicalKind) =>
  ESCAPED.includes(kind)
    ? `IFNULL(CONCAT(REPLACE(REPLACE(${canonicalText}, '\\\\', '\\\\\\\\'), '|', '\\\\|'), '|'), '\\\\N|')`
    : `IFNULL(CONCAT(${canonicalText}, '|'), '\\\\N|')`;

class MysqlChecksumSession implements ChecksumSession {
  private readonly from: string;
  private readonly rowString: string;
  private readonly order: string;
  private readonly keyTuple: string;

  constructor(
    private readonly session: Session,
    private readonly request: ChecksumRequest,
    private readonly plan: SqlPlan,
  ) {
    this.from = quoteId(request.table);
    const kinds = [...request.key, ...request.columns].map((c) => c.type.kind);
    this.rowString = `CONCAT(${[...plan.keyTexts, ...plan.valueTexts].map((t, i) => field(t, kinds[i])).join(', ')})`;
    this.order = plan.keys.map((k, i) => k.order(plan.keyColumns[i])).join(', ');
    this.keyTuple = tuple(plan.keys.map((k, i) => k.order(plan.keyColumns[i])));
  }

  async checksum(range: TextKeyRange): Promise<SegmentChecksum> {
    return (await this.checksums(range, []))[0];
  }

  async checksums(range: TextKeyRange, cuts: readonly (readonly string[])[]): Promise<SegmentChecksum[]> {
    // The part's placeholders come first in the statement, so their values go first.
    const partParams: unknown[] = [];
    const part = partCase(cuts, (cut) => this.keyCompare('<=', cut, partParams));
    const { where, params } = this.where(range);
    const rows = await this.query(
      `SELECT ${part} AS crm_part, COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(${this.rowString}), 1, 16), 16, 10) AS UNSIGNED)), 0)
         FROM ${this.from}${where} GROUP BY 1`,
      [...partParams, ...params],
    );
    const out: SegmentChecksum[] = Array.from({ length: cuts.length + 1 }, () => ({ count: 0, sum: 0n }));
    for (const [i, count, sum] of rows) out[Number(i)] = { count: Number(count), sum: BigInt.asUintN(64, BigInt(String(sum))) };
    return out;
  }

  async splitPoints(range: TextKeyRange, parts: number): Promise<string[][]> {
    const { where, params } = this.where(range);
    const total = Number((await this.query(`SELECT COUNT(*) FROM ${this.from}${where}`, params))[0][0]);
    const step = Math.max(1, Math.ceil(total / parts));
    const keys = this.plan.keyTexts.map((k, i) => `${k} AS crm_k${i}`).join(', ');
    const rows = await this.query(
      `SELECT ${this.plan.keyTexts.map((_, i) => `crm_k${i}`).join(', ')} FROM (
         SELECT ${keys}, ROW_NUMBER() OVER (ORDER BY ${this.order}) AS rn FROM ${this.from}${where}) s
        WHERE rn % ${step} = 0 AND rn < ${total} ORDER BY rn`,
      params,
    );
    return rows.map((r) => r.map(String));
  }

  async rows(range: TextKeyRange): Promise<CanonicalRow[]> {
    const { where, params } = this.where(range);
    const n = this.plan.keyTexts.length;
    const rows = await this.query(
      `SELECT ${[...this.plan.keyTexts, ...this.plan.valueTexts].map((t, i) => `${t} AS crm_c${i}`).join(', ')} FROM ${this.from}${where} ORDER BY ${this.order}`,
      params,
    );
    return rows.map((r) => {
      const texts = r.map((v) => (v === null ? null : String(v)));
      return { key: texts.slice(0, n) as string[], values: texts.slice(n) };
    });
  }

  async close(): Promise<void> {
    try {
      await this.session.sql.query('COMMIT');
      this.session.raw.release();
    } catch {
      this.session.raw.destroy();
    }
  }

  private where(range: TextKeyRange): { where: string; params: unknown[] } {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (this.request.where) conditions.push(`(${this.request.where})`);
    if (range.after) conditions.push(this.keyCompare('>', range.after, params));
    if (range.upTo) conditions.push(this.keyCompare('<=', range.upTo, params));
    return { where: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', params };
  }

  /** `(key…) <operator> (bound…)` in canonical key order, the bound values a placeholder needs appended to `params`. */
  private keyCompare(operator: string, values: readonly string[], params: unknown[]): string {
    const parts = values.map((v, i) => {
      const b = this.plan.keys[i].bound(v);
      if (b.sql.includes('?')) params.push(b.value);
      return b.sql;
    });
    return `${this.keyTuple} ${operator} ${tuple(parts)}`;
  }

  private async query(sql: string, params: readonly unknown[]): Promise<unknown[][]> {
    try {
      const [rows] = await this.session.sql.query({ sql, values: [...params], rowsAsArray: true });
      return rows as unknown as unknown[][];
    } catch (err) {
      throw translateMysqlError(err, { table: this.request.table });
    }
  }
}
