import { parseCanonicalText } from '../../core/canonical.js';
import { CrmError, isCrmError } from '../../core/errors/index.js';
import type { CanonicalType, Row, TableSchema } from '../../core/types.js';
import type { ReadBatch, ReadOptions, ReadReject } from '../contract.js';
import { BatchBudget } from '../shared/batch-budget.js';
import type { CsvFormat } from './csv-format.js';
import type { RecordEvent } from './csv-records.js';

export const DEFAULT_BATCH_SIZE = 5000;

/** What one read yields: which fields, in which order, decoded as which types. */
export interface ReadPlan {
  readonly file: string;
  readonly columns: readonly string[];
  /** Position of each output column in the file's records. */
  readonly indexes: readonly number[];
  /** Undefined (or text): the cell's string as is. */
  readonly types: readonly (CanonicalType | undefined)[];
  readonly skip: number;
  readonly batchSize: number;
  readonly maxBatchBytes?: number;
}

/** Types come from the sidecar, overridden per column by `options.types`. */
export function planRead(table: string, format: CsvFormat, sidecar: TableSchema | undefined, options: ReadOptions): ReadPlan {
  if (options.where !== undefined || options.keyRange !== undefined) {
    throw new CrmError('CRM_N2006', 'CSV files cannot be filtered by SQL or read by key range', { location: { connector: 'csv', table } });
  }
  const columns = options.columns ?? format.columns;
  const indexes = columns.map((name) => {
    const at = format.columns.indexOf(name);
    if (at === -1)
      throw new CrmError('CRM_S3002', `no column "${name}" in ${table}`, { location: { connector: 'csv', table, column: name } });
    return at;
  });
  const sidecarTypes = new Map(sidecar?.columns.map((c) => [c.name, c.type]));
  const types = columns.map((name) => {
    const type = options.types?.[name] ?? sidecarTypes.get(name);
    return type?.kind === 'text' ? undefined : type;
  });
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new CrmError('CRM_C1003', `batch size must be a positive integer, got ${batchSize}`, { location: { connector: 'csv', table } });
  }
  return {
    file: format.file,
    columns,
    indexes,
    types,
    skip: options.skip ?? 0,
    batchSize,
    ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
  };
}

/**
 * Record events → batches of at most `batchSize` rows and rejects (fewer when they are large), so memory stays
 * bounded even for a file of nothing but bad records. `skip` counts records, good or rejected, so a
 * resumed read lines up with the records a previous read handed out.
 */
export async function* readBatches(events: AsyncIterable<RecordEvent[]>, plan: ReadPlan): AsyncGenerator<ReadBatch> {
  const { columns, indexes, types } = plan;
  const budget = new BatchBudget(plan, DEFAULT_BATCH_SIZE);
  let toSkip = plan.skip;
  let rows: Row[] = [];
  let lines: number[] = [];
  let rejects: ReadReject[] = [];
  for await (const chunk of events) {
    for (const event of chunk) {
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      let full: boolean;
      if (event.reject) {
        rejects.push(event.reject);
        full = budget.add(event.reject.raw ?? '');
      } else {
        const row: Row = new Array(indexes.length);
        let reject: ReadReject | undefined;
        for (let c = 0; c < indexes.length; c++) {
          const text = event.fields[indexes[c]];
          const type = types[c];
          if (text === null || type === undefined) {
            row[c] = text;
            continue;
          }
          try {
            row[c] = parseCanonicalText(text, type);
          } catch (err) {
            if (!isCrmError(err)) throw err;
            reject = { code: 'CRM_R4003', message: err.message, file: plan.file, line: event.line, raw: event.raw, column: columns[c] };
            break;
          }
        }
        if (reject) {
          rejects.push(reject);
          full = budget.add(reject.raw ?? '');
        } else {
          rows.push(row);
          lines.push(event.line);
          full = budget.add(row);
        }
      }
      if (full) {
        yield { columns, rows, lines, rejects };
        rows = [];
        lines = [];
        rejects = [];
      }
    }
  }
  if (rows.length > 0 || rejects.length > 0) yield { columns, rows, lines, rejects };
}
