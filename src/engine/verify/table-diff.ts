import type { CanonicalRow, ChecksumColumn, Connector, ReadReject } from '../../connectors/contract.js';
import { CrmError } from '../../core/errors/index.js';
import type { TableSchema } from '../../core/types.js';
import { compareType } from './compare-types.js';
import { type HashDiffOptions, type HashDiffStats, hashDiff } from './hash-diff.js';
import { openSide } from './open-side.js';

/** A column of side a and the column of side b it is compared with (`--columns name:renamed`). */
export interface ColumnPair {
  readonly a: string;
  readonly b: string;
}

export interface TableDiffOptions extends HashDiffOptions {
  readonly a: Connector;
  readonly b: Connector;
  readonly table: ColumnPair;
  readonly key: readonly ColumnPair[];
  /** Compared columns; default: every non-key column of a that b has under the same name. */
  readonly columns?: readonly ColumnPair[];
  /** Hash in the databases where they can (default); false reads and hashes every row here. */
  readonly pushdown?: boolean;
  /** The two tables' schemas when the caller has introspected them already. */
  readonly schemas?: { readonly a: TableSchema; readonly b: TableSchema };
}

export interface FieldDifference {
  readonly column: ColumnPair;
  readonly a: string | null;
  readonly b: string | null;
}

export interface DiffRow {
  readonly key: readonly string[];
  readonly values: Readonly<Record<string, string | null>>;
}

export interface TableDiffResult {
  readonly table: ColumnPair;
  readonly key: readonly ColumnPair[];
  readonly columns: readonly ColumnPair[];
  readonly onlyInA: readonly DiffRow[];
  readonly onlyInB: readonly DiffRow[];
  readonly changed: readonly { readonly key: readonly string[]; readonly fields: readonly FieldDifference[] }[];
  /** Whether each side's hashes were computed by its database. */
  readonly pushdown: { readonly a: boolean; readonly b: boolean };
  readonly unreadable: { readonly a: readonly ReadReject[]; readonly b: readonly ReadReject[] };
  readonly stats: HashDiffStats;
  readonly equal: boolean;
  readonly seconds: number;
}

/**
 * `crmbridge diff`: compares one table of a with one table of b, by key, through canonical texts,
 * with segment checksums and bisection (see `hashDiff`). Each side reads one snapshot.
 */
export async function diffTables(options: TableDiffOptions): Promise<TableDiffResult> {
  const started = Date.now();
  const [schemaA, schemaB] = options.schemas
    ? [options.schemas.a, options.schemas.b]
    : await Promise.all([tableOf(options.a, options.table.a), tableOf(options.b, options.table.b)]);
  const keyNames = new Set(options.key.map((k) => k.a));
  const columns =
    options.columns ??
    schemaA.columns
      .filter((c) => !keyNames.has(c.name) && schemaB.columns.some((x) => x.name === c.name))
      .map((c) => ({ a: c.name, b: c.name }));
  const typed = (pairs: readonly ColumnPair[]) =>
    pairs.map((p) => ({ pair: p, type: compareType(columnType(schemaA, p.a), columnType(schemaB, p.b)) }));
  const key = typed(options.key);
  const compared = typed(columns);
  const request = (side: 'a' | 'b', table: string) => ({
    table,
    key: key.map((k): ChecksumColumn => ({ name: k.pair[side], type: k.type })),
    columns: compared.map((c): ChecksumColumn => ({ name: c.pair[side], type: c.type })),
  });
  const pushdown = options.pushdown === undefined ? {} : { pushdown: options.pushdown };
  const sideA = await openSide(options.a, request('a', options.table.a), pushdown);
  try {
    const sideB = await openSide(options.b, request('b', options.table.b), pushdown);
    try {
      const found = await hashDiff(
        sideA.session,
        sideB.session,
        key.map((k) => k.type.kind),
        options,
      );
      const row =
        (side: 'a' | 'b') =>
        (r: CanonicalRow): DiffRow => ({
          key: r.key,
          values: Object.fromEntries(columns.map((c, i) => [c[side], r.values[i]])),
        });
      return {
        table: options.table,
        key: options.key,
        columns,
        onlyInA: found.onlyA.map(row('a')),
        onlyInB: found.onlyB.map(row('b')),
        changed: found.changed.map((c) => ({
          key: c.key,
          fields: c.columns.map((i) => ({ column: columns[i], a: c.a[i], b: c.b[i] })),
        })),
        pushdown: { a: sideA.pushdown, b: sideB.pushdown },
        unreadable: { a: sideA.unreadable, b: sideB.unreadable },
        stats: found.stats,
        equal: found.onlyA.length + found.onlyB.length + found.changed.length === 0,
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      await sideB.session.close();
    }
  } finally {
    await sideA.session.close();
  }
}

async function tableOf(connector: Connector, table: string): Promise<TableSchema> {
  const schema = await connector.introspect({ tables: [table] });
  const found = schema.tables.find((t) => t.name === table) ?? schema.tables[0];
  if (!found) throw new CrmError('CRM_S3001', `table ${table} not found in ${connector.displayName}`, { location: { table } });
  return found;
}

function columnType(table: TableSchema, name: string) {
  const column = table.columns.find((c) => c.name === name);
  if (!column) {
    throw new CrmError('CRM_S3002', `column ${name} not in ${table.name} (columns: ${table.columns.map((c) => c.name).join(', ')})`, {
      location: { table: table.name, column: name },
    });
  }
  return column.type;
}
