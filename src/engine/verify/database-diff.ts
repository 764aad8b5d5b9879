import type { Connector } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { DatabaseSchema, TableSchema } from '../../core/types.js';
import type { HashDiffOptions } from './hash-diff.js';
import { diffTableSchemas, pairByName, type SchemaDiff } from './schema-diff.js';
import { type ColumnPair, diffTables, type TableDiffResult } from './table-diff.js';

export interface DatabaseDiffOptions extends HashDiffOptions {
  readonly a: Connector;
  readonly b: Connector;
  /** One pair of tables (`--table a:b`); default: every table, paired by case-insensitive name. */
  readonly table?: ColumnPair;
  /** Key columns of the pair; default: a's primary key (else b's) when the other side has its columns. */
  readonly key?: readonly ColumnPair[];
  /** Compared columns of the pair; default: every non-key column both sides have. */
  readonly columns?: readonly ColumnPair[];
  readonly pushdown?: boolean;
}

export interface TablePairDiff {
  readonly table: ColumnPair;
  readonly schema: SchemaDiff;
  /** The row comparison, absent when it could not run (then `rowsNotCompared` says why). */
  readonly rows?: TableDiffResult;
  readonly rowsNotCompared?: string;
}

export interface DatabaseDiffResult {
  readonly tablesOnlyInA: readonly string[];
  readonly tablesOnlyInB: readonly string[];
  readonly tables: readonly TablePairDiff[];
  /** Nothing found that differs (tables, columns, types, rows). */
  readonly equal: boolean;
  /** Every pair's rows were compared: an equal result is a proof only when complete. */
  readonly complete: boolean;
  readonly seconds: number;
}

/**
 * `crmbridge diff`: everything that differs between two databases (or one pair of tables):
 * tables on one side only, then per pair of tables the columns on one side only (with guessed
 * renames), the type changes, and the rows (`diffTables`, over the columns both have).
 * A missing table is a difference, not a failure.
 */
export async function diffDatabases(options: DatabaseDiffOptions): Promise<DatabaseDiffResult> {
  const started = Date.now();
  const [schemaA, schemaB] = await Promise.all([tablesOf(options.a, options.table?.a), tablesOf(options.b, options.table?.b)]);
  const { pairs, onlyA, onlyB } = options.table
    ? explicitPair(schemaA, schemaB, options.table)
    : pairByName(schemaA.tables, schemaB.tables);
  const sameDialect = options.a.name === options.b.name;
  const tables: TablePairDiff[] = [];
  for (const [ta, tb] of pairs) {
    const schema = diffTableSchemas(ta, tb, sameDialect);
    tables.push({ table: { a: ta.name, b: tb.name }, schema, ...(await compareRows(options, ta, tb, schema)) });
  }
  const rowsEqual = tables.every((t) => t.rows?.equal ?? true);
  return {
    tablesOnlyInA: onlyA.map((t) => t.name),
    tablesOnlyInB: onlyB.map((t) => t.name),
    tables,
    equal: onlyA.length + onlyB.length === 0 && tables.every((t) => t.schema.equal) && rowsEqual,
    complete: tables.every((t) => t.rows !== undefined),
    seconds: (Date.now() - started) / 1000,
  };
}

/** The tables of one side (the named one only, with `--table`); a table that does not exist is simply absent. */
async function tablesOf(connector: Connector, table: string | undefined): Promise<DatabaseSchema> {
  try {
    return await connector.introspect(table === undefined ? undefined : { tables: [table] });
  } catch (err) {
    if (err instanceof CrmError && err.code === 'CRM_S3001') return { tables: [] };
    throw err;
  }
}

/**
 * The `--table a:b` pair; a side given as one file has that one table whatever its name. A table
 * on one side only is a difference; on neither side, there is nothing to compare (CRM_S3001).
 */
function explicitPair(a: DatabaseSchema, b: DatabaseSchema, pair: ColumnPair) {
  const find = (schema: DatabaseSchema, name: string) =>
    schema.tables.find((t) => t.name.toLowerCase() === name.toLowerCase()) ?? (schema.tables.length === 1 ? schema.tables[0] : undefined);
  const [ta, tb] = [find(a, pair.a), find(b, pair.b)];
  if (!ta && !tb) throw new CrmError('CRM_S3001', `table ${pair.a} is in neither side`, { location: { table: pair.a } });
  const pairs: [TableSchema, TableSchema][] = ta && tb ? [[ta, tb]] : [];
  return { pairs, onlyA: ta && !tb ? [ta] : [], onlyB: tb && !ta ? [tb] : [] };
}

/** The row diff of one pair, or why it could not run (no key; a column whose text cannot be read). */
async function compareRows(
  options: DatabaseDiffOptions,
  a: TableSchema,
  b: TableSchema,
  schema: SchemaDiff,
): Promise<{ rows: TableDiffResult } | { rowsNotCompared: string }> {
  const key = options.key ?? keyOf(a, b, schema.shared);
  if (!key) return { rowsNotCompared: 'neither side has a primary key the other has: pass --table a:b --key col' };
  const keyNames = new Set(key.map((k) => k.a));
  const columns = options.columns ?? schema.shared.filter((c) => !keyNames.has(c.a));
  try {
    const rows = await diffTables({ ...options, table: { a: a.name, b: b.name }, key, columns, schemas: { a, b } });
    return { rows };
  } catch (err) {
    if (err instanceof CrmError) return { rowsNotCompared: err.message };
    throw err;
  }
}

/** a's primary key paired with b's columns, else b's primary key paired with a's. */
function keyOf(a: TableSchema, b: TableSchema, shared: readonly ColumnPair[]): ColumnPair[] | undefined {
  const fromA = a.primaryKey.map((k) => shared.find((p) => p.a === k));
  if (fromA.length > 0 && fromA.every((p) => p !== undefined)) return fromA as ColumnPair[];
  const fromB = b.primaryKey.map((k) => shared.find((p) => p.b === k));
  if (fromB.length > 0 && fromB.every((p) => p !== undefined)) return fromB as ColumnPair[];
  return undefined;
}
