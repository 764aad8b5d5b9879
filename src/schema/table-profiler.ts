import type { Connector } from '../connectors/contract.js';
import type { TableSchema } from '../core/types.js';
import { throwIfAborted } from './abort.js';
import type { TableProfile } from './analysis-types.js';
import { ColumnProfiler } from './column-profiler.js';
import type { DistinctLimits, Hasher } from './distinct-counter.js';

export interface TableProfileOptions {
  readonly hash: Hasher;
  readonly picklistLimit: number;
  /** Profile only the first rows (storage order) of larger tables. */
  readonly sampleRows?: number;
  readonly batchSize: number;
  readonly distinctLimits?: DistinctLimits;
  readonly signal?: AbortSignal;
  onProgress?(table: string, rowsRead: number): void;
}

/**
 * Streams one table once and profiles every column. Memory is bounded per column (see
 * ColumnProfiler), never by the row count; the reader's batches are dropped as soon as seen.
 */
export async function profileTable(connector: Connector, table: TableSchema, options: TableProfileOptions): Promise<TableProfile> {
  const singleKeys = new Set(
    [table.primaryKey, ...table.uniqueKeys, ...table.indexes.filter((i) => i.unique).map((i) => i.columns)]
      .filter((key) => key.length === 1)
      .map((key) => key[0]),
  );
  // A column with no canonical form is listed, not read: nothing can be said of its values.
  const columns = table.columns.filter((c) => c.type.kind !== 'opaque');
  const unsupported = table.columns.filter((c) => c.type.kind === 'opaque').map((c) => ({ name: c.name, nativeType: c.nativeType }));
  const profilers = columns.map(
    (column) =>
      new ColumnProfiler(column, {
        hash: options.hash,
        picklistLimit: options.picklistLimit,
        declaredUnique: singleKeys.has(column.name),
        distinctLimits: options.distinctLimits,
      }),
  );
  const limit = options.sampleRows ?? Number.POSITIVE_INFINITY;
  let rows = 0;
  let rejects = 0;
  let truncated = false;
  const read = unsupported.length > 0 ? { columns: columns.map((c) => c.name) } : {};
  for await (const batch of connector.read(table.name, { ...read, batchSize: options.batchSize, signal: options.signal })) {
    throwIfAborted(options.signal);
    rejects += batch.rejects?.length ?? 0;
    const at = columns.map((c) => batch.columns.indexOf(c.name));
    const take = Math.min(batch.rows.length, limit - rows);
    for (let r = 0; r < take; r++) {
      const row = batch.rows[r];
      for (let c = 0; c < profilers.length; c++) profilers[c].add(at[c] < 0 ? null : row[at[c]]);
    }
    rows += take;
    options.onProgress?.(table.name, rows);
    if (take < batch.rows.length) {
      truncated = true;
      break;
    }
  }
  const rowCount = truncated ? await countBeyondSample(connector, table, rows) : { rowCount: rows, rowCountExact: true };
  return {
    name: table.name,
    ...rowCount,
    rowsProfiled: rows,
    sampled: truncated,
    primaryKey: table.primaryKey,
    readRejects: rejects,
    columns: profilers.map((p) => p.finish()),
    ...(unsupported.length > 0 ? { unsupported } : {}),
  };
}

/**
 * The row count of a table profiled on a sample: exact from the database where counting is a
 * cheap query; for files (where counting means reading everything) the catalog estimate, or the
 * sample size as a lower bound.
 */
async function countBeyondSample(
  connector: Connector,
  table: TableSchema,
  sampled: number,
): Promise<{ rowCount: number; rowCountExact: boolean }> {
  if (connector.capabilities.keyRanges) return { rowCount: await connector.count(table.name), rowCountExact: true };
  return { rowCount: Math.max(table.rowEstimate ?? 0, sampled), rowCountExact: false };
}
