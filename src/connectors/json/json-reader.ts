import { CrmError } from '../../core/errors/index.js';
import type { CanonicalType, Row, Value } from '../../core/types.js';
import type { ReadBatch, ReadOptions, ReadReject } from '../contract.js';
import { BatchBudget } from '../shared/batch-budget.js';
import { readCancelled } from '../shared/read-cancelled.js';
import { typedValue, untypedValue } from './json-decode.js';
import type { JsonFormat } from './json-location.js';
import { fileRecords } from './json-records.js';
import { type JsonValue, stringifyJson } from './json-value.js';

const DEFAULT_BATCH_SIZE = 1000;

type Decode = (value: JsonValue) => Value;

/**
 * The growing column list of a read. Without `columns` requested, columns are the union of the
 * records' keys in first-seen order, so a key that first appears in record 90,000 is kept, not
 * dropped; each batch carries the columns known at its end (earlier rows are padded with null).
 */
class Columns {
  readonly names: string[] = [];
  readonly decoders: Decode[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    initial: readonly string[],
    private readonly fixed: boolean,
    private readonly types: Readonly<Record<string, CanonicalType>> | undefined,
  ) {
    for (const name of initial) this.add(name);
  }

  /** Index of a column, adding it when the list is open; undefined for a key not requested. */
  indexOf(name: string): number | undefined {
    return this.index.get(name) ?? (this.fixed ? undefined : this.add(name));
  }

  private add(name: string): number {
    const type = this.types?.[name];
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.decoders.push(type ? (value) => typedValue(value, type) : untypedValue);
    return this.names.length - 1;
  }
}

export interface JsonReadInput {
  readonly file: string;
  readonly format: JsonFormat;
  readonly table: string;
  /** Columns known before reading (the sidecar's), in order. */
  readonly knownColumns: readonly string[];
  /** Canonical types to decode with: `ReadOptions.types`, else the sidecar's; none reads JSON as it is. */
  readonly types?: Readonly<Record<string, CanonicalType>>;
}

/**
 * Streams a JSON file as row batches. A record that cannot be read or decoded becomes a reject
 * (CRM_R4004 malformed, CRM_R4003 a value that does not fit its type) and reading goes on; a
 * broken array ends with its reject in the last batch and then a CRM_R4004 error, since the
 * records after the break cannot be found.
 */
export async function* readJsonFile(input: JsonReadInput, options: ReadOptions = {}): AsyncGenerator<ReadBatch> {
  const budget = new BatchBudget(options, DEFAULT_BATCH_SIZE);
  const columns = new Columns(options.columns ?? input.knownColumns, options.columns !== undefined, input.types);
  const stopIfAborted = () => {
    if (options.signal?.aborted) {
      throw readCancelled({ connector: 'json', table: input.table, file: input.file });
    }
  };
  stopIfAborted();
  let skip = options.skip ?? 0;
  let rows: Row[] = [];
  let lines: number[] = [];
  let rejects: ReadReject[] = [];
  const flush = (): ReadBatch => {
    const width = columns.names.length;
    for (const row of rows) while (row.length < width) row.push(null);
    const batch: ReadBatch = {
      columns: [...columns.names],
      rows,
      ...(input.format === 'lines' ? { lines } : {}),
      ...(rejects.length > 0 ? { rejects } : {}),
    };
    rows = [];
    lines = [];
    rejects = [];
    return batch;
  };
  for await (const record of fileRecords(input.file, input.format)) {
    if (skip > 0) {
      skip--;
      continue;
    }
    let full: boolean;
    if (!record.ok) {
      rejects.push({ code: record.code, message: record.message, file: input.file, line: record.line, raw: record.raw });
      full = budget.add(record.raw);
      if (record.fatal) {
        yield flush();
        throw new CrmError(record.code, `${record.message}; the records after it cannot be read`, {
          location: { connector: 'json', table: input.table, file: input.file },
        });
      }
    } else {
      const row: Row = new Array(columns.names.length).fill(null);
      let bad: ReadReject | undefined;
      for (const [key, value] of record.value) {
        const i = columns.indexOf(key);
        if (i === undefined) continue;
        try {
          row[i] = columns.decoders[i](value);
        } catch (err) {
          if (!(err instanceof CrmError)) throw err;
          bad = {
            code: 'CRM_R4003',
            message: err.message,
            file: input.file,
            line: record.line,
            column: key,
            raw: record.raw ?? stringifyJson(record.value),
          };
          break;
        }
      }
      if (bad) {
        rejects.push(bad);
        full = budget.add(bad.raw ?? '');
      } else {
        rows.push(row);
        if (record.line !== undefined) lines.push(record.line);
        full = budget.add(row);
      }
    }
    if (full) {
      yield flush();
      stopIfAborted();
    }
  }
  if (rows.length + rejects.length > 0) yield flush();
}
