import type { PoolClient } from 'pg';
import type { CanonicalKind } from '../../core/types.js';
import type { CanonicalRow, ChecksumColumn, ChecksumRequest, ChecksumSession, SegmentChecksum, TextKeyRange } from '../contract.js';
import { partCase } from '../shared/part-case.js';
import type { PostgresDatabase } from './postgres-database.js';
import { rollback } from './postgres-database.js';
import { toCrmError } from './postgres-errors.js';
import { ident, storedName } from './postgres-identifiers.js';

/** A column's storage as the catalog has it: base type name (domains resolved), whether it is an enum, whether it sorts by bytes. */
interface Storage {
  readonly typname: string;
  readonly isEnum: boolean;
  readonly byteOrdered: boolean;
}

type Expression = (column: string) => string;

const text: Expression = (c) => `${c}::text`;
/** The type's output function (keeps char(n) padding, inet without /32): what the reader hands out. */
const output: Expression = (c) => `concat(${c})`;
const INTEGERS = ['int2', 'int4', 'int8'];
/** Kinds whose canonical text may hold `\` or `|` (free text, JSON); the others are digits, dates, hex. */
const ESCAPED: readonly CanonicalKind[] = ['text', 'enum', 'json', 'multiselect'];
const TEXTS = ['text', 'varchar', 'name', 'citext'];
const TEXT_LIKE = [...TEXTS, 'bpchar', 'interval', 'timetz', 'inet', 'cidr', 'macaddr', 'xml'];

/** Decimal exponent of a non-zero numeric (`x = d.ddd × 10^e`), from its plain text: exact, unlike log(). */
const exponentOf = (x: string) => {
  const plain = `trim_scale(abs(${x}))::text`;
  const intPart = `split_part(${plain}, '.', 1)`;
  const frac = `split_part(${plain}, '.', 2)`;
  return `CASE WHEN ${intPart} <> '0' THEN length(${intPart}) - 1 ELSE length(ltrim(${frac}, '0')) - length(${frac}) - 1 END`;
};
/** Significant digits of a numeric, without sign, point or outer zeros. */
const digitsOf = (x: string) => `trim(BOTH '0' FROM replace(trim_scale(abs(${x}))::text, '.', ''))`;

/**
 * JavaScript's `String(number)`: the shortest digits that read back as the same double, plain
 * for 1e-6 <= |x| < 1e21, else `d.ddde±n`. The server's float text (extra_float_digits=1) has
 * shortest digits too, but refuses a tie on the rounding boundary that JavaScript accepts
 * (7.514427006244659e+16 where JavaScript prints 75144270062446600), so where the server gives
 * 16 or 17 digits, the 15- and 16-digit roundings are tried first. A real is read as the double
 * of its text, as the connector does (`Number(text)`). One scalar subquery per value, so each
 * intermediate is computed once.
 */
const float: Expression = (c) => {
  const rounded = (digits: number) => `round(x, ${digits - 1} - ex)`;
  const shorter = (digits: number) => `length(dg) > ${digits} AND ${rounded(digits)}::float8 = d`;
  return `(SELECT CASE WHEN d = 0 THEN '0' WHEN t IN ('NaN', 'Infinity', '-Infinity') THEN t
      WHEN abs(d) >= 1e21 OR abs(d) < 1e-6 THEN CASE WHEN d < 0 THEN '-' ELSE '' END || left(g, 1)
        || CASE WHEN length(g) > 1 THEN '.' || substr(g, 2) ELSE '' END || CASE WHEN e >= 0 THEN 'e+' ELSE 'e-' END || abs(e)::text
      ELSE trim_scale(v)::text END
    FROM (SELECT ${c}::text AS t, ${c}::text::float8 AS d) s0
    CROSS JOIN LATERAL (SELECT CASE WHEN d = 0 OR t IN ('NaN', 'Infinity', '-Infinity') THEN 1::numeric ELSE t::numeric END AS x) s1
    CROSS JOIN LATERAL (SELECT ${exponentOf('x')} AS ex, ${digitsOf('x')} AS dg) s2
    CROSS JOIN LATERAL (SELECT CASE WHEN abs(d) NOT BETWEEN 1e-300 AND 1e300 THEN x
      WHEN ${shorter(15)} THEN ${rounded(15)} WHEN ${shorter(16)} THEN ${rounded(16)} ELSE x END AS v) s3
    CROSS JOIN LATERAL (SELECT ${exponentOf('v')} AS e, ${digitsOf('v')} AS g) s4)`;
};

/** Distinct members, sorted by code point, as compact JSON (to_json escapes as JSON.stringify does). */
const multiselect: Expression = (c) =>
  `'[' || coalesce((SELECT string_agg(to_json(m)::text, ',' ORDER BY m COLLATE "C") FROM (SELECT DISTINCT unnest(${c}) AS m) u), '') || ']'`;

/**
 * Canonical text (see `toCanonicalText`) per requested kind, per native storage: SQL as data.
 * A pair missing here (json, whose canonical form sorts keys and keeps number digits) is hashed
 * in-process by the caller. The session runs with TimeZone=UTC and DateStyle=ISO (config).
 */
const CANONICAL: { readonly [K in CanonicalKind]: Readonly<Record<string, Expression>> } = {
  text: Object.fromEntries(TEXT_LIKE.map((t) => [t, t === 'bpchar' || !TEXTS.includes(t) ? output : text])),
  enum: Object.fromEntries([...TEXTS, 'bpchar', '@enum'].map((t) => [t, t === 'bpchar' ? output : text])),
  uuid: { uuid: text, ...Object.fromEntries([...TEXTS, 'bpchar'].map((t) => [t, (c: string) => `lower(${output(c)})`])) },
  integer: Object.fromEntries(INTEGERS.map((t) => [t, text])),
  bigint: Object.fromEntries(INTEGERS.map((t) => [t, text])),
  decimal: { numeric: (c) => `trim_scale(${c})::text`, ...Object.fromEntries(INTEGERS.map((t) => [t, text])) },
  float: { float4: float, float8: float },
  boolean: { bool: (c) => `CASE WHEN ${c} THEN 'true' ELSE 'false' END` },
  date: { date: text },
  time: { time: (c) => `to_char(${c}, 'HH24:MI:SS.US')` },
  timestamp: { timestamp: (c) => `to_char(${c}, 'YYYY-MM-DD HH24:MI:SS.US')` },
  timestamptz: {
    timestamptz: (c) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    // A naive timestamp that holds UTC (legacy schemas).
    timestamp: (c) => `to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  },
  binary: { bytea: (c) => `encode(${c}, 'hex')` },
  json: {},
  multiselect: { _text: multiselect, _varchar: multiselect, _bpchar: multiselect },
  // Any type: its output text is its canonical text (`planFor`).
  opaque: {},
};

/** Key kinds whose native order equals canonical order (numbers numerically, the rest by code point) once text sorts by bytes. */
const ORDERED_KEYS: Readonly<Partial<Record<CanonicalKind, readonly string[]>>> = {
  integer: INTEGERS,
  bigint: INTEGERS,
  decimal: ['numeric', ...INTEGERS],
  text: [...TEXTS, 'bpchar'],
  enum: [...TEXTS, '@enum'],
  uuid: ['uuid', ...TEXTS, 'bpchar'],
  date: ['date'],
  time: ['time'],
  timestamp: ['timestamp'],
  timestamptz: ['timestamptz', 'timestamp'],
  binary: ['bytea'],
};

const STORAGE_SQL = `
  SELECT a.attname AS name, bt.typname, bt.typtype = 'e' AS is_enum,
         coalesce(co.collname IN ('C', 'POSIX', 'ucs_basic') OR (co.collname = 'default' AND d.datcollate IN ('C', 'POSIX')), false) AS byte_ordered
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    JOIN pg_database d ON d.datname = current_database()
   WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

/** The storage key in the tables above: enums by kind, everything else by base type name. */
const storageKey = (s: Storage): string => (s.isEnum ? '@enum' : s.typname);

/**
 * Opens a checksum session on one table in one REPEATABLE READ READ ONLY transaction, or
 * resolves undefined when a column's canonical text or the key order has no SQL form here.
 */
export async function openPostgresChecksum(db: PostgresDatabase, request: ChecksumRequest): Promise<ChecksumSession | undefined> {
  const { table } = request;
  const rows = await db.query<{ name: string; typname: string; is_enum: boolean; byte_ordered: boolean }>(
    STORAGE_SQL,
    [db.table(table)],
    table,
  );
  const storage = new Map(rows.map((r) => [r.name, { typname: r.typname, isEnum: r.is_enum, byteOrdered: r.byte_ordered }]));
  const plan = planFor(request, storage, db.table(table));
  if (!plan) return undefined;
  const client = await db.connectScan(table);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (err) {
    client.release(err instanceof Error ? err : undefined);
    throw toCrmError(err, db.errorContext(table));
  }
  return new PostgresChecksumSession(client, db, request, plan);
}

interface SqlPlan {
  /** Canonical text (NULL for NULL) of each key column, then of each compared column. */
  readonly keyTexts: readonly string[];
  readonly valueTexts: readonly string[];
  /** The key columns as sortable expressions, and the cast that makes a bound's text comparable. */
  readonly order: readonly string[];
  readonly boundCasts: readonly ((param: string) => string)[];
}

/** `storage` is keyed by stored names: a column over 63 bytes is found under its shortened identifier. */
function planFor(request: ChecksumRequest, storage: ReadonlyMap<string, Storage>, from: string): SqlPlan | undefined {
  const canonical = (column: ChecksumColumn): string | undefined => {
    const s = storage.get(storedName(column.name));
    const expression = s ? (CANONICAL[column.type.kind][storageKey(s)] ?? (column.type.kind === 'opaque' ? output : undefined)) : undefined;
    if (!expression) return undefined;
    const c = ident(column.name);
    return `CASE WHEN ${c} IS NULL THEN NULL ELSE ${expression(c)} END`;
  };
  const keyTexts = request.key.map(canonical);
  const valueTexts = request.columns.map(canonical);
  const order: string[] = [];
  const boundCasts: ((param: string) => string)[] = [];
  for (const column of request.key) {
    const s = storage.get(storedName(column.name));
    if (!s || !ORDERED_KEYS[column.type.kind]?.includes(storageKey(s))) return undefined;
    // Qualified: an output column may carry the key's name, and ORDER BY would prefer it.
    const c = `${from}.${ident(column.name)}`;
    if (s.isEnum || (TEXTS.includes(s.typname) && !s.byteOrdered) || s.typname === 'bpchar') {
      order.push(`${c}::text COLLATE "C"`);
      boundCasts.push((p) => `${p}::text COLLATE "C"`);
    } else if (s.typname === 'bytea') {
      order.push(c);
      boundCasts.push((p) => `decode(${p}, 'hex')`);
    } else {
      order.push(c);
      boundCasts.push((p) => `${p}::${s.typname}`);
    }
  }
  if ([...keyTexts, ...valueTexts].some((e) => e === undefined)) return undefined;
  return { keyTexts: keyTexts as string[], valueTexts: valueTexts as string[], order, boundCasts };
}

/**
 * The field text of the checksum contract: the text with `\` and `|` escaped, then `|`; `\N|`
 * for NULL. The text is evaluated once; kinds whose text never holds `\` or `|` skip the escaping.
 */
const field = (canonicalText: string, kind: CanonicalKind) =>
  ESCAPED.includes(kind)
    ? `coalesce(replace(replace(${canonicalText}, '\\', '\\\\'), '|', '\\|') || '|', '\\N|')`
    : `coalesce(${canonicalText} || '|', '\\N|')`;

class PostgresChecksumSession implements ChecksumSession {
  private readonly from: string;
  private readonly rowString: string;

  constructor(
    private readonly client: PoolClient,
    private readonly db: PostgresDatabase,
    private readonly request: ChecksumRequest,
    private readonly plan: SqlPlan,
  ) {
    this.from = db.table(request.table);
    const kinds = [...request.key, ...request.columns].map((c) => c.type.kind);
    this.rowString = [...plan.keyTexts, ...plan.valueTexts].map((t, i) => field(t, kinds[i])).join(' || ');
  }

  async checksum(range: TextKeyRange): Promise<SegmentChecksum> {
    return (await this.checksums(range, []))[0];
  }

  async checksums(range: TextKeyRange, cuts: readonly (readonly string[])[]): Promise<SegmentChecksum[]> {
    const { where, params } = this.where(range);
    const part = partCase(cuts, (cut) => this.keyCompare('<=', cut, params));
    // The first 16 hex digits as a signed bigint; their sum, taken modulo 2^64, equals the unsigned sum's.
    const rows = await this.query<[number, string, string]>(
      `SELECT ${part} AS crm_part, count(*)::text, coalesce(sum(('x' || substr(md5(${this.rowString}), 1, 16))::bit(64)::bigint::numeric), 0)::text
         FROM ${this.from}${where} GROUP BY 1`,
      params,
    );
    const out: SegmentChecksum[] = Array.from({ length: cuts.length + 1 }, () => ({ count: 0, sum: 0n }));
    for (const [i, count, sum] of rows) out[Number(i)] = { count: Number(count), sum: BigInt.asUintN(64, BigInt(sum)) };
    return out;
  }

  async splitPoints(range: TextKeyRange, parts: number): Promise<string[][]> {
    const { where, params } = this.where(range);
    const counted = await this.query<[string]>(`SELECT count(*)::text FROM ${this.from}${where}`, params);
    const total = Number(counted[0][0]);
    const step = Math.max(1, Math.ceil(total / parts));
    params.push(step, total);
    const keys = this.plan.keyTexts.map((k, i) => `${k} AS crm_k${i}`).join(', ');
    return this.query<string[]>(
      `SELECT ${this.plan.keyTexts.map((_, i) => `crm_k${i}`).join(', ')} FROM (
         SELECT ${keys}, row_number() OVER (ORDER BY ${this.plan.order.join(', ')}) AS rn FROM ${this.from}${where}) s
        WHERE rn % $${params.length - 1} = 0 AND rn < $${params.length} ORDER BY rn`,
      params,
    );
  }

  async rows(range: TextKeyRange): Promise<CanonicalRow[]> {
    const { where, params } = this.where(range);
    const n = this.plan.keyTexts.length;
    const rows = await this.query<(string | null)[]>(
      `SELECT ${[...this.plan.keyTexts, ...this.plan.valueTexts].map((t, i) => `${t} AS crm_c${i}`).join(', ')} FROM ${this.from}${where} ORDER BY ${this.plan.order.join(', ')}`,
      params,
    );
    return rows.map((r) => ({ key: r.slice(0, n) as string[], values: r.slice(n) }));
  }

  async close(): Promise<void> {
    let broken: Error | undefined;
    try {
      await this.client.query('COMMIT');
    } catch {
      broken = await rollback(this.client);
    }
    this.client.release(broken);
  }

  private where(range: TextKeyRange): { where: string; params: unknown[] } {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (this.request.where) conditions.push(`(${this.request.where})`);
    if (range.after) conditions.push(this.keyCompare('>', range.after, params));
    if (range.upTo) conditions.push(this.keyCompare('<=', range.upTo, params));
    return { where: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', params };
  }

  /** `(key…) <operator> (bound…)` in canonical key order, the bound's texts appended to `params`. */
  private keyCompare(operator: string, values: readonly string[], params: unknown[]): string {
    const placeholders = values.map((v, i) => {
      params.push(v);
      return this.plan.boundCasts[i](`$${params.length}`);
    });
    return `(${this.plan.order.join(', ')}) ${operator} (${placeholders.join(', ')})`;
  }

  private async query<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
    try {
      // rowMode array with the pool's parsers: every selected value is text, parsed as itself.
      return (await this.client.query({ text: sql, values: [...params], rowMode: 'array' })).rows as R[];
    } catch (err) {
      throw toCrmError(err, this.db.errorContext(this.request.table));
    }
  }
}
