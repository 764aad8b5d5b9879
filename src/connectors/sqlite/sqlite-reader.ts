import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Database } from 'better-sqlite3';
import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, ColumnSchema, Row, Value } from '../../core/types.js';
import type { ReadBatch, ReadOptions, ReadReject } from '../contract.js';
import { BatchBudget } from '../shared/batch-budget.js';
import { readCancelled } from '../shared/read-cancelled.js';
import { withSqliteErrors } from './sqlite-errors.js';
import { tableColumns } from './sqlite-introspector.js';
import { identList, parenList, placeholders, quoteIdent } from './sqlite-sql.js';
import { type Decoder, decoderFor, displayValue, REPLACEMENT, type SqliteValue, toSqliteParam } from './sqlite-values.js';

const DEFAULT_BATCH_SIZE = 1000;

/** The selected columns of a table, with a decoder per column, resolved once per read. */
export interface Projection {
  readonly columns: readonly string[];
  decode(raw: readonly SqliteValue[]): Row;
}

/**
 * Resolves `columns` (all when omitted) against the catalog. SQLite's declared types are weak,
 * so an explicit canonical type in `types` wins over the declared one.
 */
export function projection(
  db: Database,
  table: string,
  columns?: readonly string[],
  types?: Readonly<Record<string, CanonicalType>>,
): Projection {
  const catalog = withSqliteErrors({ table }, () => tableColumns(db, table));
  const byName = new Map<string, ColumnSchema>(catalog.map((c) => [c.name, c]));
  const names = columns ?? catalog.map((c) => c.name);
  const decoders: Decoder[] = names.map((name) => {
    const column = byName.get(name);
    if (!column)
      throw new CrmError('CRM_S3002', `no column ${name} in ${table}`, { location: { connector: 'sqlite', table, column: name } });
    return decoderFor(types?.[name] ?? column.type);
  });
  return {
    columns: names,
    decode(raw) {
      const row: Row = new Array(decoders.length);
      for (let i = 0; i < decoders.length; i++) {
        try {
          row[i] = decoders[i](raw[i]);
        } catch (err) {
          if (err instanceof CrmError) {
            throw new CrmError(err.code, err.message, { location: { connector: 'sqlite', table, column: names[i] }, value: err.value });
          }
          throw err;
        }
      }
      return row;
    },
  };
}

/**
 * Gives back the stored bytes of the texts better-sqlite3 decoded with U+FFFD (see `REPLACEMENT`),
 * in place, so that their decoder tells bytes that are not UTF-8 (CRM_R4002) from a stored U+FFFD.
 * Rows come with their rowid first (`selectSql`), which this removes. A table without a rowid
 * (a view, WITHOUT ROWID) cannot be looked up: such a text is a CRM_R4002 reject.
 */
function storedBytes(db: Database, table: string, columns: readonly string[], rowid: boolean): (raw: SqliteValue[]) => void {
  // (`textCheck` pairs this with the select list it needs.)
  const lookups = new Map<number, (id: SqliteValue) => SqliteValue>();
  const lookup = (i: number) => {
    let found = lookups.get(i);
    if (!found) {
      const statement = db.prepare(`SELECT CAST(${quoteIdent(columns[i])} AS BLOB) FROM ${quoteIdent(table)} WHERE rowid = ?`).pluck();
      found = (id) => statement.safeIntegers(true).get(id) as SqliteValue;
      lookups.set(i, found);
    }
    return found;
  };
  return (raw) => {
    const id = rowid ? raw.shift() : undefined;
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      if (typeof value !== 'string' || !value.includes(REPLACEMENT)) continue;
      if (id === undefined) {
        throw new CrmError(
          'CRM_R4002',
          `text with U+FFFD, which may stand for bytes that are not UTF-8 (${table} has no rowid to read them by)`,
          {
            location: { connector: 'sqlite', table, column: columns[i] },
            value,
          },
        );
      }
      raw[i] = lookup(i)(id);
    }
  };
}

/**
 * For a select of `columns`: what to put before them (`rowid, ` when the table has one) and the
 * `storedBytes` step to run on each row before decoding it.
 */
export function textCheck(
  db: Database,
  table: string,
  columns: readonly string[],
): { select: string; restore: (raw: SqliteValue[]) => void } {
  const rowid = hasRowid(
    db,
    table,
    withSqliteErrors({ table }, () => tableColumns(db, table)),
  );
  return { select: rowid ? 'rowid, ' : '', restore: storedBytes(db, table, columns, rowid) };
}

/** Whether `rowid` names the table's rowid (not a view, not WITHOUT ROWID, no column of that name). */
function hasRowid(db: Database, table: string, columns: readonly ColumnSchema[]): boolean {
  if (columns.some((c) => c.name.toLowerCase() === 'rowid')) return false;
  try {
    db.prepare(`SELECT rowid FROM ${quoteIdent(table)} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

function selectSql(
  table: string,
  columns: readonly string[],
  options: ReadOptions,
  prefix: string,
): { sql: string; params: SqliteValue[] } {
  const conditions: string[] = [];
  const params: SqliteValue[] = [];
  if (options.where) conditions.push(`(${options.where})`);
  const { keyRange, orderBy } = options;
  if (keyRange && (keyRange.after || keyRange.upTo)) {
    if (!orderBy || orderBy.length === 0) {
      throw new CrmError('CRM_C1003', 'a key range needs orderBy (the key columns)', { location: { connector: 'sqlite', table } });
    }
    const bound = (values: readonly Value[], op: string) => {
      conditions.push(`${parenList(orderBy)} ${op} ${placeholders(values.length)}`);
      params.push(...values.map(toSqliteParam));
    };
    if (keyRange.after) bound(keyRange.after, '>');
    if (keyRange.upTo) bound(keyRange.upTo, '<=');
  }
  let sql = `SELECT ${prefix}${identList(columns)} FROM ${quoteIdent(table)}`;
  if (conditions.length > 0) sql += ` WHERE ${conditions.join(' AND ')}`;
  if (orderBy && orderBy.length > 0) sql += ` ORDER BY ${identList(orderBy)}`;
  return { sql, params };
}

/**
 * Streams a table in batches. better-sqlite3 is synchronous, so the iterator is advanced in
 * bursts of one batch and the event loop gets a turn between batches. A row whose stored value
 * does not fit its canonical type becomes a CRM_R4003 reject and reading goes on.
 */
export async function* readTable(db: Database, table: string, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
  const budget = new BatchBudget(options, DEFAULT_BATCH_SIZE);
  const signal = options.signal;
  const proj = projection(db, table, options.columns, options.types);
  const { select, restore } = textCheck(db, table, proj.columns);
  const { sql, params } = selectSql(table, proj.columns, options, select);
  const statement = withSqliteErrors({ table }, () => db.prepare(sql).raw(true).safeIntegers(true));
  const iterator = withSqliteErrors({ table }, () => statement.iterate(...params) as IterableIterator<SqliteValue[]>);
  let skip = options.skip ?? 0;
  try {
    while (true) {
      if (signal?.aborted) throw readCancelled({ connector: 'sqlite', table });
      const rows: Row[] = [];
      const rejects: ReadReject[] = [];
      let done = false;
      withSqliteErrors({ table }, () => {
        for (let full = false; !full; ) {
          const next = iterator.next();
          if (next.done) {
            done = true;
            return;
          }
          if (skip > 0) {
            skip--;
            continue;
          }
          try {
            restore(next.value);
            const row = proj.decode(next.value);
            rows.push(row);
            full = budget.add(row);
          } catch (err) {
            if (!(err instanceof CrmError) || (err.code !== 'CRM_R4003' && err.code !== 'CRM_R4002')) throw err;
            const raw = JSON.stringify(next.value.map(displayValue));
            rejects.push({ code: err.code, message: err.message, raw, column: err.location.column });
            full = budget.add(raw);
          }
        }
      });
      if (rows.length > 0 || rejects.length > 0)
        yield rejects.length > 0 ? { columns: proj.columns, rows, rejects } : { columns: proj.columns, rows };
      if (done) return;
      await nextTurn();
    }
  } finally {
    iterator.return?.();
  }
}
